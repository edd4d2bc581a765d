import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, StateChange } from '@switchboard/sdk/node';
import { TcpRelay } from '../cluster/tcp-relay.js';
import { eventually } from '../support/cluster.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { recordMessages, testClient } from './sdk-against-server.js';

describe('SDK against the real server: revoked tokens and offline sends', () => {
  let server: TestServer;
  let relay: TcpRelay;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    relay = await TcpRelay.start({ host: '127.0.0.1', port: Number(new URL(server.url).port) });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await relay?.close();
    await server?.close();
  });

  async function pair() {
    const a = await server.user(['customer']);
    const b = await server.user(['customer']);
    const created = await server.request('POST', '/v1/conversations', { token: a.token, body: { type: 'direct', participant_ids: [b.user.id] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { a, b, conversationId: created.body.conversation.id as string };
  }

  it('a revoked token ends retries with a terminal error, and nothing reconnects', async () => {
    const { a } = await pair();
    let asked = 0;
    const client = testClient(server.url, () => {
      asked++;
      return a.token;
    });
    clients.push(client);
    const states: StateChange[] = [];
    client.on('state', (s) => states.push(s));
    await client.connect();
    const revoked = await server.request('POST', `/v1/users/${a.user.id}/revoke-tokens`, { apiKey: TEST_API_KEY });
    expect(revoked.status).toBeLessThan(300);
    await eventually(async () => client.state === 'closed', 10_000, 'the client closed');
    expect(client.error).toMatchObject({ code: 'invalid_token', message: 'Session ended', terminal: true });
    expect(states.at(-1)).toEqual({ state: 'closed', error: { code: 'invalid_token', message: 'Session ended', terminal: true } });
    const askedAtClose = asked;
    await new Promise((r) => setTimeout(r, 1500));
    expect(asked).toBe(askedAtClose);
    expect(client.state).toBe('closed');
    // A send now fails at once instead of hanging.
    await expect(client.conversation('any').send({ content: 'too late' })).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('a token refused at the first connection is terminal too', async () => {
    const client = testClient(server.url, 'not-a-token');
    clients.push(client);
    await expect(client.connect()).rejects.toMatchObject({ code: 'invalid_token', message: 'Invalid token' });
  });

  it('sends made while the server is unreachable go out when it comes back, once each', async () => {
    const { a, b, conversationId } = await pair();
    await relay.set('refuse');
    const sender = testClient(`http://127.0.0.1:${relay.port}`, a.token);
    const receiver = testClient(server.url, b.token);
    clients.push(sender, receiver);
    const seen = recordMessages(receiver, conversationId);
    await receiver.connect();
    void sender.connect();
    const conversation = sender.conversation(conversationId, { since: 0 });
    const sends = ['one', 'two', 'three'].map((content) => conversation.send({ content }));
    await eventually(async () => conversation.pending().length === 3, 5000, 'three queued');
    await new Promise((r) => setTimeout(r, 500));
    expect(sender.state).not.toBe('connected');
    expect(conversation.pending().every((p) => p.status === 'pending')).toBe(true);
    await relay.set('forward');
    const messages = await Promise.all(sends);
    expect(messages.map((m) => [m.seq, m.content])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    await eventually(async () => seen.length === 3, 10_000, 'the receiver got all three');
    expect(seen.map((m) => m.content)).toEqual(['one', 'two', 'three']);
  });

  it('a receiver that was offline gets what it missed, in order, once, after it reconnects', async () => {
    const { a, b, conversationId } = await pair();
    const sender = testClient(server.url, a.token);
    const receiver = testClient(`http://127.0.0.1:${relay.port}`, b.token);
    clients.push(sender, receiver);
    const seen = recordMessages(receiver, conversationId);
    await Promise.all([sender.connect(), receiver.connect()]);
    const conversation = sender.conversation(conversationId, { since: 0 });
    await conversation.send({ content: 'before' });
    await eventually(async () => seen.length === 1, 10_000, 'the first arrived live');
    await relay.set('refuse');
    for (let i = 0; i < 25; i++) await conversation.send({ content: `while away ${i}` });
    await relay.set('forward');
    await conversation.send({ content: 'after' });
    await eventually(async () => seen.length === 27, 15_000, 'everything arrived');
    expect(seen.map((m) => m.seq)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
  });
});
