import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { registerTrip, TripSockets, tripUser, type TripUser } from './steppergo-fixtures.js';

/** A trip's driver, organizer and passenger chat over `/api/socket` and REST; nobody else does. */
describe('StepperGO trip chat', () => {
  let server: TestServer;
  let driver: TripUser;
  let organizer: TripUser;
  let passenger: TripUser;
  let outsider: TripUser;
  const sockets = new TripSockets(() => server);
  let trip = 0;

  /** A fresh trip with the three of them registered by the host app. */
  async function newTrip(): Promise<{ tripId: string; conversationId: string }> {
    const tripId = `T-${++trip}`;
    const conversationId = await registerTrip(server, tripId, [
      { user: driver, role: 'driver' },
      { user: organizer, role: 'organizer' },
      { user: passenger, role: 'passenger' },
    ]);
    return { tripId, conversationId };
  }

  beforeAll(async () => {
    server = await startTestServer({ SEND_RATE_POINTS: '1000' });
    driver = await tripUser(server, 'DRIVER', 'Tom Driver');
    organizer = await tripUser(server, 'ORGANIZER', 'Orla Organizer');
    passenger = await tripUser(server, 'PASSENGER', 'Pat Passenger');
    outsider = await tripUser(server, 'PASSENGER', 'Olly Outsider');
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await server?.close();
  });

  describe('join:conversation', () => {
    it('lets the driver, the organizer and a passenger join, answering conversation:joined', async () => {
      const { tripId, conversationId } = await newTrip();
      for (const who of [driver, organizer, passenger]) {
        const socket = await sockets.as(who);
        socket.emit('join:conversation', { tripId });
        expect(await socket.next('conversation:joined')).toEqual({ conversationId, tripId });
      }
    });

    it('refuses an outsider with "Access denied to this conversation", as for a trip with no conversation', async () => {
      const { tripId } = await newTrip();
      const socket = await sockets.as(outsider);
      socket.emit('join:conversation', { tripId });
      expect(await socket.next('error')).toMatchObject({ message: 'Access denied to this conversation', code: 'conversation_not_found' });
      socket.emit('join:conversation', { tripId: 'T-nobody-registered' });
      expect(await socket.next('error')).toMatchObject({ message: 'Access denied to this conversation', code: 'conversation_not_found' });
      await socket.nothing('conversation:joined');
    });

    it('answers data that is not {tripId} with an error naming the field', async () => {
      const socket = await sockets.as(driver);
      socket.emit('join:conversation', { trip: 'T-1' });
      expect(await socket.next('error')).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/^Invalid join:conversation data: .*tripId/) });
    });
  });

  describe('message:send', () => {
    it('sends message:new <Message> to the room and message:sent {messageId, tempId} to the sender', async () => {
      const { tripId, conversationId } = await newTrip();
      const [d, o, p] = [await sockets.joined(driver, tripId), await sockets.joined(organizer, tripId), await sockets.joined(passenger, tripId)];
      d.emit('message:send', { conversationId, content: 'Leaving at 9', metadata: { tempId: 'tmp-1' } });
      const sent = await d.next('message:sent');
      expect(sent).toEqual({ messageId: expect.any(String), tempId: 'tmp-1' });
      for (const socket of [d, o, p]) {
        expect(await socket.next('message:new')).toEqual({
          id: sent.messageId,
          conversationId,
          senderId: driver.id,
          content: 'Leaving at 9',
          type: 'TEXT',
          metadata: { tempId: 'tmp-1' },
          status: 'SENT',
          isReported: false,
          isHidden: false,
          sentAt: expect.any(String),
          deliveredAt: null,
          readAt: null,
          editedAt: null,
          seq: 1,
          sender: { id: driver.id, name: 'Tom Driver', avatar: null, role: 'driver' },
        });
      }
    });

    it('treats a resent tempId as the same message', async () => {
      const { tripId, conversationId } = await newTrip();
      const p = await sockets.joined(passenger, tripId);
      p.emit('message:send', { conversationId, content: 'Seat 3?', metadata: { tempId: 'again' } });
      const first = await p.next('message:sent');
      expect(await p.next('message:new')).toMatchObject({ id: first.messageId, seq: 1 });
      p.emit('message:send', { conversationId, content: 'Seat 3?', metadata: { tempId: 'again' } });
      expect((await p.next('message:sent')).messageId).toBe(first.messageId);
      await p.nothing('message:new');
    });

    it('shares a LOCATION with validated {latitude, longitude, accuracy?}', async () => {
      const { tripId, conversationId } = await newTrip();
      const [d, p] = [await sockets.joined(driver, tripId), await sockets.joined(passenger, tripId)];
      d.emit('message:send', { conversationId, content: '', type: 'LOCATION', metadata: { latitude: 43.24, longitude: 76.89, accuracy: 12 } });
      expect(await p.next('message:new')).toMatchObject({ type: 'LOCATION', metadata: { latitude: 43.24, longitude: 76.89, accuracy: 12 } });
      d.emit('message:send', { conversationId, content: 'here', type: 'LOCATION', metadata: { latitude: 123 } });
      expect(await d.next('error')).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('/metadata') });
    });

    it('refuses a SYSTEM message from a client, an unknown type, and content that is not text', async () => {
      const { tripId, conversationId } = await newTrip();
      const d = await sockets.joined(driver, tripId);
      d.emit('message:send', { conversationId, content: 'I am the system', type: 'SYSTEM' });
      expect(await d.next('error')).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('reserved') });
      d.emit('message:send', { conversationId, content: 'x', type: 'VIDEO' });
      expect(await d.next('error')).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/^Invalid message:send data: \/type/) });
      d.emit('message:send', { conversationId, content: 42 });
      expect(await d.next('error')).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/^Invalid message:send data: \/content/) });
      await d.nothing('message:new');
    });

    it('refuses an outsider who names the conversation, in the same words as an unknown one', async () => {
      const { conversationId } = await newTrip();
      const socket = await sockets.as(outsider);
      socket.emit('message:send', { conversationId, content: 'let me in' });
      const refused = await socket.next('error');
      socket.emit('message:send', { conversationId: 'no-such-conversation', content: 'let me in' });
      expect(await socket.next('error')).toEqual(refused);
      expect(refused).toMatchObject({ message: 'Access denied to this conversation' });
    });

    it('answers through the acknowledgement when the client asks for one', async () => {
      const { tripId, conversationId } = await newTrip();
      const d = await sockets.joined(driver, tripId);
      expect(await d.request('message:send', { conversationId, content: 'ack me', metadata: { tempId: 'a1' } })).toMatchObject({ success: true, messageId: expect.any(String), tempId: 'a1' });
      expect(await d.request('message:send', { conversationId: 'nope', content: 'x' })).toMatchObject({ success: false, error: 'Access denied to this conversation', code: 'conversation_not_found' });
    });
  });

  describe('typing and read state', () => {
    it('tells the others typing:start {userId, userName} and typing:stop {userId}, not the typist (whose sockets are in user:<id>)', async () => {
      const { tripId, conversationId } = await newTrip();
      const [d, p] = [await sockets.joined(driver, tripId), await sockets.joined(passenger, tripId)];
      p.emit('typing:start', { conversationId });
      expect(await d.next('typing:start')).toMatchObject({ userId: passenger.id, userName: 'Pat Passenger' });
      p.emit('typing:stop', { conversationId });
      expect(await d.next('typing:stop')).toMatchObject({ userId: passenger.id });
      await p.nothing('typing:start');
    });

    it('tells the others messages:read {userId, conversationId} and moves status SENT → DELIVERED → READ', async () => {
      const { tripId, conversationId } = await newTrip();
      const [d, o, p] = [await sockets.joined(driver, tripId), await sockets.joined(organizer, tripId), await sockets.joined(passenger, tripId)];
      d.emit('message:send', { conversationId, content: 'Status check' });
      await d.next('message:sent');
      const status = async () => (await server.request('GET', `/api/messages/${tripId}`, { token: driver.token })).body.messages[0].status;
      expect(await status()).toBe('SENT');
      // Fetching the history is receiving it.
      await server.request('GET', `/api/messages/${tripId}`, { token: organizer.token });
      expect(await status()).toBe('SENT');
      await server.request('GET', `/api/messages/${tripId}`, { token: passenger.token });
      expect(await status()).toBe('DELIVERED');
      p.emit('messages:read', { conversationId });
      expect(await d.next('messages:read')).toMatchObject({ userId: passenger.id, conversationId });
      expect(await o.next('messages:read')).toMatchObject({ userId: passenger.id, conversationId });
      await p.nothing('messages:read');
      expect(await status()).toBe('DELIVERED');
      o.emit('messages:read', { conversationId });
      await d.next('messages:read', (e) => e.userId === organizer.id);
      expect(await status()).toBe('READ');
    });

    it('counts the caller’s unread messages in the history', async () => {
      const { tripId, conversationId } = await newTrip();
      const d = await sockets.joined(driver, tripId);
      for (const content of ['one', 'two']) {
        d.emit('message:send', { conversationId, content });
        await d.next('message:sent');
      }
      const history = await server.request('GET', `/api/messages/${tripId}`, { token: passenger.token });
      expect(history.status).toBe(200);
      expect(history.body).toMatchObject({ success: true, tripId, conversationId, unreadCount: 2, hasMore: false });
      expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual(['one', 'two']);
      const read = await server.request('POST', '/api/messages/read', { token: passenger.token, body: { conversationId } });
      expect(read.body).toMatchObject({ success: true, unreadCount: 0 });
      expect((await server.request('GET', `/api/messages/${tripId}`, { token: passenger.token })).body.unreadCount).toBe(0);
    });
  });

  describe('REST', () => {
    it('sends with POST /api/messages/send, live on /api/socket and on the native WebSocket (with the same session token)', async () => {
      const { tripId, conversationId } = await newTrip();
      const d = await sockets.joined(driver, tripId);
      const native = await TestWsClient.authenticated(server.url, organizer.token);
      try {
        const res = await server.request('POST', '/api/messages/send', { token: passenger.token, body: { tripId, content: 'Running late', metadata: { tempId: 'r1' } } });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({ success: true, message: { conversationId, senderId: passenger.id, content: 'Running late', type: 'TEXT', status: 'SENT', sender: { role: 'passenger' } } });
        expect(await d.next('message:new')).toMatchObject({ id: res.body.message.id, content: 'Running late' });
        // The session token opens the native WebSocket too; a participant outside the room is notified.
        expect(await native.next((f) => f.type === 'message_notification')).toMatchObject({ conversation_id: conversationId, from_user_id: passenger.id, preview: 'Running late' });
      } finally {
        native.close();
      }
    });

    it('refuses an outsider on every route with {"error": "..."}', async () => {
      const { tripId, conversationId } = await newTrip();
      const history = await server.request('GET', `/api/messages/${tripId}`, { token: outsider.token });
      expect(history.status).toBe(404);
      expect(history.body).toEqual({ error: 'Access denied to this conversation', code: 'conversation_not_found' });
      const send = await server.request('POST', '/api/messages/send', { token: outsider.token, body: { tripId, content: 'hi' } });
      expect(send.body).toEqual(history.body);
      const read = await server.request('POST', '/api/messages/read', { token: outsider.token, body: { conversationId } });
      expect(read.body).toEqual(history.body);
    });

    it('answers bad input in its shape, never a 5xx', async () => {
      const { tripId } = await newTrip();
      const noContent = await server.request('POST', '/api/messages/send', { token: driver.token, body: { tripId } });
      expect(noContent.status).toBe(422);
      expect(noContent.body).toMatchObject({ error: expect.stringMatching(/^Validation failed: /), code: 'validation_failed' });
      const blank = await server.request('POST', '/api/messages/send', { token: driver.token, body: { tripId, content: '   ' } });
      expect(blank.status).toBe(422);
      const noLocation = await server.request('POST', '/api/messages/send', { token: driver.token, body: { tripId, content: '', type: 'LOCATION' } });
      expect(noLocation.status).toBe(422);
      expect(noLocation.body.error).toContain('latitude');
      const badPage = await server.request('GET', `/api/messages/${tripId}?limit=0`, { token: driver.token });
      expect(badPage.status).toBe(422);
      const noToken = await server.request('GET', `/api/messages/${tripId}`);
      expect(noToken).toMatchObject({ status: 401, body: { error: 'Authentication required' } });
    });
  });

  describe('reporting and moderation', () => {
    it('reports a message with POST /api/messages/report, once per reporter, and shows it as isReported', async () => {
      const { tripId, conversationId } = await newTrip();
      const d = await sockets.joined(driver, tripId);
      d.emit('message:send', { conversationId, content: 'Pay me in cash only' });
      const { messageId } = await d.next('message:sent');
      const filed = await server.request('POST', '/api/messages/report', { token: passenger.token, body: { messageId, reason: 'scam' } });
      expect(filed).toMatchObject({ status: 201, body: { success: true, messageId, reportId: expect.any(String) } });
      const again = await server.request('POST', '/api/messages/report', { token: passenger.token, body: { messageId, reason: 'scam' } });
      expect(again).toMatchObject({ status: 200, body: { reportId: filed.body.reportId } });
      const history = await server.request('GET', `/api/messages/${tripId}`, { token: organizer.token });
      expect(history.body.messages[0]).toMatchObject({ id: messageId, isReported: true, isHidden: false });
    });

    it('refuses a report of a message the caller cannot read, as of one that does not exist, and a report without a reason', async () => {
      const { tripId, conversationId } = await newTrip();
      const d = await sockets.joined(driver, tripId);
      d.emit('message:send', { conversationId, content: 'Private to the trip' });
      const { messageId } = await d.next('message:sent');
      const stranger = await server.request('POST', '/api/messages/report', { token: outsider.token, body: { messageId, reason: 'spam' } });
      const missing = await server.request('POST', '/api/messages/report', { token: outsider.token, body: { messageId: 'no-such-message', reason: 'spam' } });
      expect(stranger).toMatchObject({ status: 404, body: { code: 'message_not_found' } });
      expect(stranger.body).toEqual(missing.body);
      const noReason = await server.request('POST', '/api/messages/report', { token: passenger.token, body: { messageId } });
      expect(noReason).toMatchObject({ status: 422, body: { code: 'validation_failed' } });
    });

    it('tells the room message:updated when a moderator hides a message', async () => {
      const { tripId, conversationId } = await newTrip();
      const [d, p] = [await sockets.joined(driver, tripId), await sockets.joined(passenger, tripId)];
      d.emit('message:send', { conversationId, content: 'Rude words' });
      const { messageId } = await d.next('message:sent');
      const hidden = await server.request('POST', `/v1/moderation/reports/${messageId}/actions`, { apiKey: TEST_API_KEY, body: { action: 'hide', reason: 'abuse' } });
      expect(hidden.status, JSON.stringify(hidden.body)).toBe(200);
      expect(await p.next('message:updated')).toMatchObject({ id: messageId, isHidden: true });
    });

    it('delivers a shadow-banned sender’s message to their own sockets only', async () => {
      const { tripId, conversationId } = await newTrip();
      const [o, p] = [await sockets.joined(organizer, tripId), await sockets.joined(passenger, tripId)];
      const ban = await server.request('POST', '/v1/moderation/bans', { apiKey: TEST_API_KEY, body: { user_id: organizer.id, conversation_id: conversationId, reason: 'spam', shadow: true } });
      expect(ban.status, JSON.stringify(ban.body)).toBe(201);
      o.emit('message:send', { conversationId, content: 'Buy my tours' });
      expect(await o.next('message:new')).toMatchObject({ content: 'Buy my tours' });
      await p.nothing('message:new');
      const lifted = await server.request('DELETE', `/v1/moderation/bans/${ban.body.restriction.id}`, { apiKey: TEST_API_KEY });
      expect(lifted.status).toBe(200);
    });
  });

  describe('a removed passenger (a cancelled booking)', () => {
    it('leaves the room at once and is refused on the socket and over REST', async () => {
      const { tripId, conversationId } = await newTrip();
      const [d, p] = [await sockets.joined(driver, tripId), await sockets.joined(passenger, tripId)];
      await registerTrip(server, tripId, [
        { user: driver, role: 'driver' },
        { user: organizer, role: 'organizer' },
      ]);
      // Everything the driver says from now on stays out of the passenger's socket.
      d.emit('message:send', { conversationId, content: 'after the cancellation' });
      await d.next('message:new', (m) => m.content === 'after the cancellation');
      await p.nothing('message:new');
      p.emit('join:conversation', { tripId });
      expect(await p.next('error')).toMatchObject({ message: 'Access denied to this conversation' });
      p.emit('message:send', { conversationId, content: 'still here?' });
      expect(await p.next('error')).toMatchObject({ message: 'Access denied to this conversation' });
      const res = await server.request('GET', `/api/messages/${tripId}`, { token: passenger.token });
      expect(res).toMatchObject({ status: 404, body: { error: 'Access denied to this conversation' } });
    });
  });
});
