import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSioClient } from '../support/sio-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

/** A client id (or temp_id) is a retry key within one conversation, never across conversations. */
describe('client ids are scoped to the sender and the conversation, on every transport', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const newCase = async (token: string) => (await server.request('POST', '/v1/support/cases', { token, body: { subject: 'Scope' } })).body.case.conversation_id as string;

  it('stores a message sent with a client id already used in another conversation (REST v1 and native)', async () => {
    const customer = await server.user(['customer']);
    const [one, two, three] = [await newCase(customer.token), await newCase(customer.token), await newCase(customer.token)];
    const first = await server.request('POST', `/v1/conversations/${one}/messages`, { token: customer.token, body: { content: 'to one', client_id: 'k-1' } });
    const second = await server.request('POST', `/v1/conversations/${two}/messages`, { token: customer.token, body: { content: 'to two', client_id: 'k-1' } });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.message).toMatchObject({ conversation_id: two, content: 'to two', seq: 1 });
    const ws = await TestWsClient.authenticated(server.url, customer.token);
    try {
      const reply = await ws.request('send_chat_message', { conversation_id: three, content: 'to three', client_id: 'k-1' });
      expect(reply).toMatchObject({ success: true, conversation_id: three, seq: 1 });
      expect(reply.message_id).not.toBe(first.body.message.id);
    } finally {
      ws.close();
    }
  });

  it('stores a support-desk message whose temp_id was used in another session', async () => {
    const customer = await server.user(['customer']);
    const [one, two] = [await newCase(customer.token), await newCase(customer.token)];
    const sio = await TestSioClient.connect(server.url, customer.token);
    try {
      const a = await sio.request('send_message', { session_id: one, content: 'first', temp_id: 'temp-1' });
      const b = await sio.request('send_message', { session_id: two, content: 'second', temp_id: 'temp-1' });
      expect(a.success && b.success).toBe(true);
      expect(b.message_id).not.toBe(a.message_id);
      const history = await server.request('GET', `/v1/conversations/${two}/messages`, { token: customer.token });
      expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual(['second']);
    } finally {
      sio.close();
    }
  });
});
