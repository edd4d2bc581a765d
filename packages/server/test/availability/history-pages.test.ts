import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSioClient } from '../support/sio-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

type Frame = Record<string, any>;

/** The default MAX_MESSAGE_LENGTH, in Amharic: 3 bytes a character in UTF-8. */
const longest = (i: number) => `${String(i).padStart(4, '0')}${'ሰ'.repeat(10_000 - 4)}`;

describe('history replies over messages of the longest length fit the connection', () => {
  let server: TestServer;
  let id: string;
  let caseId: string;
  let reader: { token: string };
  let customer: { token: string };
  const total = 120;
  beforeAll(async () => {
    server = await startTestServer({ SEND_RATE_POINTS: '100000' });
    const writer = await server.user(['CONTROL_STAFF']);
    const staff = await server.user(['CONTROL_STAFF']);
    reader = staff;
    const created = await server.request('POST', '/v1/conversations', { token: writer.token, body: { type: 'group', title: 'long', participant_ids: [staff.user.id] } });
    id = created.body.conversation.id;
    customer = await server.user(['customer']);
    caseId = (await server.request('POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Long' } })).body.case.conversation_id;
    const writerActor = await server.services.auth.authenticate(writer.token);
    const customerActor = await server.services.auth.authenticate(customer.token);
    for (let i = 0; i < total; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => server.services.messages.send(writerActor, id, { content: longest(i + j) })));
      await Promise.all(Array.from({ length: 20 }, (_, j) => server.services.messages.send(customerActor, caseId, { content: longest(i + j) })));
    }
  });
  afterAll(() => server?.close());

  it('answers get_conversation_messages limit:100 with the newest that fit, and paging by skip reaches every message once', async () => {
    const client = await TestWsClient.authenticated(server.url, reader.token);
    try {
      const seqs: number[] = [];
      for (let skip = 0, pages = 0; skip < total; pages++) {
        const reply = await Promise.race([client.request('get_conversation_messages', { conversation_id: id, skip, limit: 100 }, 10_000), client.waitClose(10_000).then((closed) => ({ closed }))]);
        expect(reply, 'answered, not closed as a slow consumer').toMatchObject({ success: true });
        const { messages, count } = reply as Frame;
        expect(count).toBeGreaterThan(0);
        expect(Buffer.byteLength(JSON.stringify(reply))).toBeLessThan(server.services.config.maxBufferedBytes);
        seqs.unshift(...messages.map((m: Frame) => m.seq as number));
        skip += count;
        expect(pages).toBeLessThan(total);
      }
      expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(client.closed).toBeUndefined();
    } finally {
      client.ws.terminate();
    }
  });

  it('opens a support-desk session of long messages with session_joined instead of a cut socket', async () => {
    const sio = await TestSioClient.connect(server.url, customer.token);
    try {
      sio.emit('join_session', { session_id: caseId });
      const joined = await sio.next('session_joined', () => true, 10_000);
      expect(joined.messages.length).toBeGreaterThan(0);
      expect(joined.messages.at(-1).content).toBe(longest(total - 1));
      expect(sio.socket.connected).toBe(true);
    } finally {
      sio.close();
    }
  });
});
