import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/test-stores.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { buildMessage, createConversation, createUser } from '../store/factories.js';
import { useTestStore } from '../store/use-test-store.js';

type Frame = Record<string, any>;

/** The default MAX_MESSAGE_LENGTH: the longest message a client may send. */
const LONGEST = 10_000;

for (const dialect of dialects) {
  describe(`a message page bounded by bytes on ${dialect}`, () => {
    const t = useTestStore(dialect);

    it('stops before the message that would pass maxBytes, keeps at least one, and says has_more', async () => {
      const ana = await createUser(t.store);
      const { id } = await createConversation(t.store, [ana]);
      for (let i = 0; i < 6; i++) await t.store.messages.append(buildMessage(id, ana.id, { content: 'x'.repeat(1000) }));

      const forward = await t.store.messages.page({ conversationId: id, afterSeq: 0, limit: 6, maxBytes: 2600 });
      expect(forward.messages.map((m) => m.seq)).toEqual([1, 2]);
      expect(forward.hasMore).toBe(true);
      const newest = await t.store.messages.page({ conversationId: id, limit: 6, maxBytes: 2600 });
      expect(newest.messages.map((m) => m.seq)).toEqual([5, 6]);
      expect(newest.hasMore).toBe(true);
      const tiny = await t.store.messages.page({ conversationId: id, afterSeq: 2, limit: 6, maxBytes: 1 });
      expect(tiny.messages.map((m) => m.seq)).toEqual([3]);
      expect(tiny.hasMore).toBe(true);
      const roomy = await t.store.messages.page({ conversationId: id, afterSeq: 0, limit: 6, maxBytes: 1_000_000 });
      expect(roomy.messages).toHaveLength(6);
      expect(roomy.hasMore).toBe(false);
    });
  });
}

describe('sync over messages of the longest length', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SEND_RATE_POINTS: '100000' });
  });
  afterAll(() => server?.close());

  /** A group of a writer and a reader holding `total` messages of the longest length, numbered, the rest `filler`. */
  async function longConversation(total: number, filler: string) {
    const writer = await server.user(['CONTROL_STAFF']);
    const reader = await server.user(['CONTROL_STAFF']);
    const created = await server.request('POST', '/v1/conversations', { token: writer.token, body: { type: 'group', title: 'long', participant_ids: [reader.user.id] } });
    const id = created.body.conversation.id as string;
    const actor = await server.services.auth.authenticate(writer.token);
    for (let i = 0; i < total; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, total - i) }, (_, j) => server.services.messages.send(actor, id, { content: `${String(i + j).padStart(4, '0')}${filler.repeat(LONGEST - 4)}` })));
    }
    return { id, reader };
  }

  it('answers limit:500 with pages that fit the connection, and a client paging while has_more gets every message once, in order, without a 4008', async () => {
    // 520 messages of 10,000 characters (Amharic, 3 bytes each in UTF-8): ~15 MB, a page of 500
    // is far past the 1 MiB a connection may buffer.
    const total = 520;
    const { id, reader } = await longConversation(total, 'ሰ');
    const client = await TestWsClient.authenticated(server.url, reader.token);
    const seqs: number[] = [];
    let pages = 0;
    for (let after = 0, more = true; more; pages++) {
      const reply = await Promise.race([client.request('sync', { conversations: [{ id, after_seq: after }], limit: 500 }, 10_000), client.waitClose(10_000).then((closed) => ({ closed }))]);
      expect(reply, 'answered, not closed (4008 is "reconnect and sync": the same page again)').toMatchObject({ success: true });
      const page = (reply as Frame).conversations[0] as Frame;
      expect(page.messages.length, 'every page moves on').toBeGreaterThan(0);
      expect(Buffer.byteLength(JSON.stringify(reply))).toBeLessThan(server.services.config.maxBufferedBytes);
      seqs.push(...page.messages.map((m: Frame) => m.seq as number));
      after = seqs.at(-1)!;
      more = page.has_more;
      expect(pages).toBeLessThan(total);
    }
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(pages).toBeGreaterThan(1);
    expect(client.closed).toBeUndefined();
    console.info(`sync: ${total} messages of ${LONGEST} characters in ${pages} pages, none closed`);
    client.ws.terminate();
    // Writing ~15 MB of text through the search index takes a while on a busy machine.
  }, 120_000);

  it('keeps each reply within its share of the buffer when the text escapes to twice its size in JSON', async () => {
    // Every character a quote: 10 KB stored, 20 KB once escaped; the store's estimate is half the truth.
    const total = 60;
    const { id, reader } = await longConversation(total, '"');
    const share = server.services.config.maxBufferedBytes / 4;
    const client = await TestWsClient.authenticated(server.url, reader.token);
    const seqs: number[] = [];
    for (let after = 0, more = true; more; ) {
      const reply = (await client.request('sync', { conversations: [{ id, after_seq: after }], limit: 500 }, 10_000)) as Frame;
      const page = reply.conversations[0] as Frame;
      expect(page.messages.length).toBeGreaterThan(0);
      // The messages' share; the envelope around them is a few hundred bytes.
      expect(Buffer.byteLength(JSON.stringify(page.messages))).toBeLessThanOrEqual(share);
      seqs.push(...page.messages.map((m: Frame) => m.seq as number));
      after = seqs.at(-1)!;
      more = page.has_more;
    }
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    client.ws.terminate();
  }, 60_000);
});
