import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { OpenClients, restHistory, restSend, type Frame, type TestUser } from './ws-fixtures.js';

/** Every queue of the default policy; GuzoSync's four come first. */
const VALID_TYPES = "['general_support', 'driver_support', 'regulator_support', 'emergency_support', 'desk_support', 'trip_support', 'morevans_support']";

/**
 * Support conversations and support rooms. Every control user of the server becomes a participant
 * of every case, so this file runs its own server with a fixed set of control staff.
 */
describe('GuzoSync support conversations and rooms', () => {
  let server: TestServer;
  let control: TestUser[];
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer();
    control = [await server.user(['CONTROL_STAFF']), await server.user(['CONTROL_STAFF']), await server.user(['CONTROL_ADMIN'])];
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  async function watching(who: TestUser, roomType: string): Promise<TestWsClient> {
    const client = await clients.as(who);
    expect(await client.request('join_support_room', { room_type: roomType })).toMatchObject({ success: true });
    return client;
  }

  const isCase = (f: Frame) => f.type === 'new_support_conversation';

  describe('create_support_conversation', () => {
    it('opens a case with every control user: conversation_joined comes first, then the documented reply', async () => {
      const driver = await server.user(['BUS_DRIVER']);
      const client = await clients.as(driver);
      const reply = await client.request('create_support_conversation', { title: 'Route Change Request', content: 'I need to discuss changing my route due to road construction.' });
      expect(reply).toMatchObject({ success: true, message: 'Support conversation created successfully', conversation_id: expect.any(String), title: 'Support: Route Change Request', timestamp: expect.any(String) });
      expect([...reply.participants].sort()).toEqual([driver.user.id, ...control.map((c) => c.user.id)].sort());

      const id = reply.conversation_id;
      const joinedAt = client.frames.findIndex((f) => f.type === 'conversation_joined');
      expect(client.frames[joinedAt]).toMatchObject({ type: 'conversation_joined', conversation_id: id, room_id: `conversation:${id}`, message: expect.any(String) });
      expect(joinedAt).toBe(client.frames.indexOf(reply) - 1);

      // The content is the first message, and the creator is in the room.
      expect((await restHistory(server, driver, id)).map((m) => [m.seq, m.sender_id, m.content])).toEqual([[1, driver.user.id, 'I need to discuss changing my route due to road construction.']]);
      await restSend(server, control[0]!, id, 'On it.');
      expect(await client.next((f) => f.type === 'new_message')).toMatchObject({ conversation_id: id, message: { content: 'On it.', sender_id: control[0]!.user.id } });
    });

    it('announces a bus driver case to general_support and driver_support watchers, and notifies every control user', async () => {
      const general = await watching(control[0]!, 'general_support');
      const drivers = await watching(control[1]!, 'driver_support');
      const regulators = await watching(control[2]!, 'regulator_support');
      const driver = await server.user(['BUS_DRIVER']);
      const creator = await clients.as(driver);
      const content = `Engine warning light on bus 12, ${'please advise '.repeat(10)}`;
      const reply = await creator.request('create_support_conversation', { title: 'Engine', content });
      const announcement = {
        type: 'new_support_conversation',
        conversation_id: reply.conversation_id,
        title: 'Support: Engine',
        creator_id: driver.user.id,
        creator_name: expect.any(String),
        creator_role: 'BUS_DRIVER',
        message: expect.any(String),
        timestamp: expect.any(String),
      };
      expect(await general.next(isCase)).toMatchObject(announcement);
      expect(await drivers.next(isCase)).toMatchObject(announcement);
      for (const staff of [general, drivers, regulators]) {
        expect(await staff.next((f) => f.type === 'message_notification')).toMatchObject({
          conversation_id: reply.conversation_id,
          from_user_id: driver.user.id,
          preview: `${content.slice(0, 100)}...`,
          timestamp: expect.any(String),
        });
      }
      await Promise.all([regulators.nothing(isCase), creator.nothing((f) => f.type === 'message_notification' || isCase(f))]);
    });

    it('announces a queue regulator case to regulator_support, not driver_support', async () => {
      const general = await watching(control[0]!, 'general_support');
      const drivers = await watching(control[1]!, 'driver_support');
      const regulators = await watching(control[2]!, 'regulator_support');
      const regulator = await server.user(['QUEUE_REGULATOR']);
      const reply = await (await clients.as(regulator)).request('create_support_conversation', { title: 'Queue', content: 'Long queue at Meskel Square' });
      expect(reply.success).toBe(true);
      expect(await regulators.next(isCase)).toMatchObject({ conversation_id: reply.conversation_id, creator_role: 'QUEUE_REGULATOR' });
      expect(await general.next(isCase)).toMatchObject({ conversation_id: reply.conversation_id });
      await drivers.nothing(isCase);
    });

    it('refuses control roles with "Only bus drivers and queue regulators can create support conversations"', async () => {
      for (const who of [control[0]!, control[2]!]) {
        const client = await clients.as(who);
        const reply = await client.request('create_support_conversation', { title: 'Nope', content: 'Staff cannot open cases' });
        expect(reply).toMatchObject({ success: false, error: 'Only bus drivers and queue regulators can create support conversations' });
        await client.nothing((f) => f.type === 'conversation_joined');
      }
    });

    it('answers a missing title or content with "Title and content required" and opens nothing', async () => {
      const driver = await server.user(['BUS_DRIVER']);
      const client = await clients.as(driver);
      for (const data of [{}, { title: 'Only a title' }, { content: 'Only content' }, { title: '', content: 'x' }, { title: 'x', content: '' }, { title: 5, content: 'x' }]) {
        expect(await client.request('create_support_conversation', data), JSON.stringify(data)).toMatchObject({ success: false, error: 'Title and content required' });
      }
      expect((await server.request('GET', '/v1/conversations', { token: driver.token })).body.conversations).toEqual([]);
      await client.nothing((f) => f.type === 'conversation_joined');
    });

    it('answers "No control center staff available" when the server has no control staff', async () => {
      const empty = await startTestServer();
      try {
        const driver = await empty.user(['BUS_DRIVER']);
        const client = clients.track(await TestWsClient.authenticated(empty.url, driver.token));
        expect(await client.request('create_support_conversation', { title: 'Help', content: 'Anyone?' })).toMatchObject({ success: false, error: 'No control center staff available' });
      } finally {
        clients.closeAll();
        await empty.close();
      }
    });
  });

  describe('join_support_room', () => {
    it('lets control staff join a support room with the documented reply, general_support by default', async () => {
      const client = await clients.as(control[0]!);
      expect(await client.request('join_support_room', { room_type: 'general_support' })).toMatchObject({
        success: true,
        message: 'Joined general support room successfully',
        room_id: 'support:general_support',
        room_type: 'general_support',
        timestamp: expect.any(String),
      });
      expect(await client.request('join_support_room', {})).toMatchObject({ success: true, room_id: 'support:general_support', room_type: 'general_support' });
      expect(await client.request('join_support_room', { room_type: 'emergency_support' })).toMatchObject({ success: true, room_id: 'support:emergency_support' });
    });

    it('refuses field staff with "Only control staff can join support rooms"', async () => {
      for (const role of ['BUS_DRIVER', 'QUEUE_REGULATOR']) {
        const client = await clients.as(await server.user([role]));
        expect(await client.request('join_support_room', { room_type: 'general_support' })).toMatchObject({ success: false, error: 'Only control staff can join support rooms' });
      }
    });

    it('refuses an unknown room type, listing the valid ones', async () => {
      const client = await clients.as(control[1]!);
      for (const roomType of ['vip_support', 'GENERAL_SUPPORT', '']) {
        expect(await client.request('join_support_room', { room_type: roomType })).toMatchObject({ success: false, error: `Invalid room type. Valid types: ${VALID_TYPES}` });
      }
    });

    it('stops announcing cases to a connection after leave_support_room', async () => {
      const staying = await watching(control[0]!, 'general_support');
      const leaving = await watching(control[1]!, 'general_support');
      expect(await leaving.request('leave_support_room', { room_type: 'general_support' })).toMatchObject({ success: true, room_id: 'support:general_support' });
      const reply = await (await clients.as(await server.user(['BUS_DRIVER']))).request('create_support_conversation', { title: 'Flat tyre', content: 'At the depot' });
      expect(await staying.next(isCase)).toMatchObject({ conversation_id: reply.conversation_id });
      await leaving.nothing(isCase);
    });

    it('tells the others already in the room with room_notification, not the joiner', async () => {
      const first = await watching(control[0]!, 'emergency_support');
      const elsewhere = await watching(control[2]!, 'general_support');
      const joiner = await watching(control[1]!, 'emergency_support');
      expect(await first.next((f) => f.type === 'room_notification')).toMatchObject({ type: 'room_notification', room_id: 'support:emergency_support', user_id: control[1]!.user.id });
      await Promise.all([joiner.nothing((f) => f.type === 'room_notification'), elsewhere.nothing((f) => f.type === 'room_notification')]);
    });
  });
});
