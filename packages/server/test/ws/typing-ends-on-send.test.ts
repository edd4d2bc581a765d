import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestSioClient } from '../support/sio-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { conversation, OpenClients, restSend } from './ws-fixtures.js';

describe('a message ends its sender’s typing indicator, whatever transport sent it', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  afterEach(() => clients.closeAll());

  it('stops typing_status on the native WebSocket when the typist sends over REST', async () => {
    const a = await server.user(['CONTROL_STAFF']);
    const b = await server.user(['BUS_DRIVER']);
    const id = await conversation(server, a, [b]);
    const ca = await clients.as(a);
    const cb = await clients.as(b);
    for (const c of [ca, cb]) expect((await c.request('join_conversation', { conversation_id: id })).success).toBe(true);
    expect((await cb.request('typing_indicator', { conversation_id: id, is_typing: true })).success).toBe(true);
    expect(await ca.next((f) => f.type === 'typing_status')).toMatchObject({ user_id: b.user.id, is_typing: true });
    await restSend(server, b, id, 'On my way');
    expect(await ca.next((f) => f.type === 'typing_status')).toMatchObject({ user_id: b.user.id, is_typing: false });
  });

  it('sends typing_stopped on Socket.IO when the typist sends over REST', async () => {
    const customer = await server.user(['customer']);
    const watcher = await server.user(['support']);
    const opened = await server.request('POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Late', content: 'Where is my order?' } });
    const id = opened.body.case.conversation_id as string;
    const w = await TestSioClient.connect(server.url, watcher.token);
    const c = await TestSioClient.connect(server.url, customer.token);
    try {
      for (const s of [w, c]) expect((await s.request('join_session', { session_id: id })).success).toBe(true);
      c.emit('typing', { session_id: id });
      await w.next('user_typing', (d) => d.user_id === customer.user.id);
      const sent = await server.request('POST', `/v1/conversations/${id}/messages`, { token: customer.token, body: { content: 'Any news?' } });
      expect(sent.status).toBe(201);
      expect(await w.next('typing_stopped')).toEqual({ session_id: id, user_id: customer.user.id });
    } finally {
      w.close();
      c.close();
    }
  });
});
