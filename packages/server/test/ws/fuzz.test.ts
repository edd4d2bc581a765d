import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INBOUND_FRAMES } from '@switchboard/protocol';
import { startTestServer, type TestServer } from '../support/test-server.js';
import type { TestWsClient } from '../support/ws-client.js';
import { conversation, OpenClients, prng, restSend, type Frame } from './ws-fixtures.js';

/** Change it to explore; a failure names the seed it ran with, so it can be replayed. */
const SEED = 0x5b0a_2d17;
const FRAMES = 3000;
/** Below the gateway's 256 frames in flight, so each frame gets its own answer, not "Too many requests". */
const BATCH = 200;

/** Frames the server answers a request with; everything else it sends is a broadcast. */
const REPLY_TYPES = new Set([undefined, 'error', 'pong', 'room_joined', 'room_left']);
const isReply = (f: Frame) => REPLY_TYPES.has(f.type);

interface Schema {
  readonly type?: string;
  readonly properties?: Record<string, Schema>;
  readonly items?: Schema;
}

interface Ids {
  readonly conversationId: string;
  readonly messageId: string;
  readonly userId: string;
}

/** A valid value for a field, by name first and by schema type otherwise. */
function validValue(name: string, schema: Schema, ids: Ids): unknown {
  const byName: Record<string, unknown> = {
    conversation_id: ids.conversationId,
    id: ids.conversationId,
    message_id: ids.messageId,
    reply_to: ids.messageId,
    content: 'fuzz',
    title: 'fuzz',
    message_type: 'TEXT',
    room_type: 'general_support',
    emoji: '👍',
    user_ids: [ids.userId],
  };
  if (name in byName) return byName[name];
  if (schema.type === 'object') return validData(schema, ids);
  if (schema.type === 'array') return schema.items ? [validValue(name, schema.items, ids)] : [];
  return { string: 'x', integer: 0, number: 0, boolean: true }[schema.type ?? 'string'] ?? 'x';
}

function validData(schema: Schema, ids: Ids): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, sub]) => [name, validValue(name, sub, ids)]));
}

/** Every field of a frame's data, nested ones included, as a path into the data object. */
function fieldPaths(schema: Schema, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = [];
  for (const [name, sub] of Object.entries(schema.properties ?? {})) {
    paths.push([...prefix, name]);
    if (sub.type === 'object') paths.push(...fieldPaths(sub, [...prefix, name]));
    if (sub.type === 'array' && sub.items?.type === 'object') paths.push(...fieldPaths(sub.items, [...prefix, name, 0]));
  }
  return paths;
}

function setPath(target: Record<string, any>, path: (string | number)[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path.at(-1)!] = value;
}

const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}null${'}'.repeat(depth)}`;

/** Values of the wrong type (or out of range) for some field; a raw JSON text each. */
const WRONG_VALUES: readonly string[] = [
  'null', 'true', 'false', '0', '-1', '1.5', '-0', '1e308', '-1e308', '1e999', '9223372036854775808', '123456789012345678901234567890',
  '""', '" "', '"\\u0000"', JSON.stringify('é'.repeat(300)), JSON.stringify('A'.repeat(5000)), '[]', '[null]', '[[[[]]]]', '{}',
  '{"nested":{"deep":[1,{}]}}', deepArray(64), deepObject(64), '{"__proto__":{"admin":true}}', '"<script>alert(1)</script>"',
];

function build(rnd: ReturnType<typeof prng>, ids: Ids, counter: () => number): { payload: string | Buffer; binary: boolean } {
  const events = Object.keys(INBOUND_FRAMES) as (keyof typeof INBOUND_FRAMES)[];
  const requestId = () => (rnd.next() < 0.7 ? { request_id: `fz-${counter()}` } : {});
  const text = (payload: string) => ({ payload, binary: false });
  const wrong = () => rnd.pick(WRONG_VALUES);
  switch (rnd.int(12)) {
    case 0: // random bytes in a binary frame
      return { payload: rnd.bytes(1 + rnd.int(300)), binary: true };
    case 1: { // random (valid UTF-8) text built from JSON-ish characters
      const alphabet = ['{', '}', '[', ']', '"', ':', ',', 'a', 'type', 'data', '1', '-', 'e', 'null', ' ', '\\', 'é', '😀', '\u0001', 'true'];
      return text(Array.from({ length: 1 + rnd.int(80) }, () => rnd.pick(alphabet)).join(''));
    }
    case 2: { // truncated valid JSON
      const event = rnd.pick(events);
      const full = JSON.stringify({ type: event, data: validData(INBOUND_FRAMES[event].data as Schema, ids), ...requestId() });
      return text(full.slice(0, 1 + rnd.int(full.length - 1)));
    }
    case 3:
    case 4:
    case 5: { // one field of one event given a wrong type or out-of-range value
      const event = rnd.pick(events);
      const schema = INBOUND_FRAMES[event].data as Schema;
      const paths = fieldPaths(schema);
      const data = validData(schema, ids);
      const marker = `\u0000WRONG${counter()}\u0000`;
      const value = wrong();
      if (paths.length > 0) setPath(data, rnd.pick(paths), marker);
      const json = JSON.stringify({ type: event, data, ...requestId() }).replace(JSON.stringify(marker), value);
      return text(json);
    }
    case 6: { // the envelope itself malformed: type, data, request_id of the wrong type
      const event = rnd.pick(events);
      const parts = [`"type":${rnd.next() < 0.5 ? wrong() : JSON.stringify(event)}`, `"data":${wrong()}`];
      if (rnd.next() < 0.5) parts.push(`"request_id":${wrong()}`);
      return text(`{${parts.join(',')}}`);
    }
    case 7: // every field null, or the whole data null
      return text(JSON.stringify({ type: rnd.pick(events), data: rnd.next() < 0.5 ? null : Object.fromEntries(Object.keys((INBOUND_FRAMES[rnd.pick(events)].data as Schema).properties ?? {}).map((k) => [k, null])), ...requestId() }));
    case 8: // deep nesting where a value is expected
      return text(`{"type":${JSON.stringify(rnd.pick(events))},"data":${rnd.next() < 0.5 ? deepArray(1 + rnd.int(3000)) : deepObject(1 + rnd.int(3000))}}`);
    case 9: { // top-level frames with odd fields
      const kind = rnd.pick(['ping', 'join_room', 'leave_room']);
      const field = kind === 'ping' ? 'timestamp' : 'room_id';
      const value = rnd.next() < 0.5 ? wrong() : JSON.stringify(rnd.pick(['conversation:', 'conversation:nope', 'support:', 'support:nope', ':::', 'x'.repeat(301), `conversation:${ids.conversationId}:x`]));
      return text(`{"type":"${kind}","${field}":${value}}`);
    }
    case 10: // valid JSON in a binary frame
      return { payload: Buffer.from(JSON.stringify({ type: rnd.pick(events), data: validData(INBOUND_FRAMES[rnd.pick(events)].data as Schema, ids) })), binary: true };
    default: // a frame over MAX_FRAME_BYTES, or JSON that is not an object
      return text(rnd.next() < 0.2 ? JSON.stringify({ type: 'ping', padding: 'p'.repeat(70_000) }) : rnd.pick(['[]', '"str"', '42', 'null', 'true', '[{"type":"ping"}]']));
  }
}

describe('fuzzing the native gateway', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer({ SEND_RATE_POINTS: '100000' });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  /** Sends frames in batches, each closed by a ping whose pong proves the batch was answered. */
  async function barrage(client: TestWsClient, frames: { payload: string | Buffer; binary: boolean }[]): Promise<Frame[]> {
    const start = client.frames.length;
    for (let i = 0; i < frames.length; i += BATCH) {
      for (const { payload, binary } of frames.slice(i, i + BATCH)) client.ws.send(payload, { binary });
      const marker = `batch-${i}`;
      client.send({ type: 'ping', timestamp: marker });
      await client.next((f) => f.type === 'pong' && f.timestamp === marker, 15_000);
    }
    return client.frames.slice(start);
  }

  it(`survives ${FRAMES} malformed frames on one connection, answering each once, and still works (seed ${SEED})`, async () => {
    const a = await server.user(['CONTROL_STAFF']);
    const b = await server.user(['CONTROL_STAFF']);
    const conversationId = await conversation(server, a, [b]);
    const target = await restSend(server, a, conversationId, 'target');
    const ids = { conversationId, messageId: target.id, userId: b.user.id };
    const rnd = prng(SEED);
    let n = 0;
    const frames = Array.from({ length: FRAMES }, () => build(rnd, ids, () => ++n));
    expect(frames.filter((f) => f.binary).length).toBeGreaterThan(100);

    const client = await clients.as(a);
    const watcher = await clients.as(b);
    expect((await watcher.request('join_conversation', { conversation_id: conversationId })).success).toBe(true);

    const answers = await barrage(client, frames);
    const replies = answers.filter(isReply);
    const batches = Math.ceil(FRAMES / BATCH);
    // One answer per frame, plus the pong that closes each batch.
    expect(replies.length, `seed ${SEED}`).toBe(FRAMES + batches);
    expect(client.closed, `seed ${SEED}`).toBeUndefined();
    const unexpected = answers.filter((f) => !isReply(f) && !['conversation_joined', 'reaction_updated', 'message_edited', 'message_deleted', 'message_read'].includes(f.type));
    expect(unexpected, `seed ${SEED}`).toEqual([]);

    // The same connection still answers a ping and sends a valid message to the room.
    client.send({ type: 'ping', timestamp: 'after-fuzz' });
    expect(await client.next((f) => f.type === 'pong' && f.timestamp === 'after-fuzz')).toMatchObject({ server_time: expect.any(String) });
    const sent = await client.request('send_chat_message', { conversation_id: conversationId, content: 'still alive after the fuzz' });
    expect(sent).toMatchObject({ success: true, message: 'Message sent successfully' });
    expect(await watcher.next((f) => f.type === 'new_message' && f.message.id === sent.message_id)).toMatchObject({ message: { content: 'still alive after the fuzz' } });

    // And a fresh connection works.
    const fresh = await clients.as(a);
    expect(await fresh.request('get_active_conversations', {})).toMatchObject({ success: true });
    fresh.send({ type: 'ping', timestamp: 'fresh' });
    expect(await fresh.next((f) => f.type === 'pong')).toMatchObject({ timestamp: 'fresh' });
  });

  it(`answers malformed frames with client errors, never with an internal error (seed ${SEED + 1})`, async () => {
    const a = await server.user(['CONTROL_STAFF']);
    const b = await server.user(['CONTROL_STAFF']);
    const conversationId = await conversation(server, a, [b]);
    const target = await restSend(server, a, conversationId, 'target');
    const rnd = prng(SEED + 1);
    let n = 0;
    const frames = Array.from({ length: 1000 }, () => build(rnd, { conversationId, messageId: target.id, userId: b.user.id }, () => ++n));
    const client = await clients.as(a);
    const answers = await barrage(client, frames);
    const internal = answers.filter((f) => f.code === 'internal' || f.error === 'Internal server error');
    expect(internal.map((f) => JSON.stringify(f).slice(0, 200)), `seed ${SEED + 1}`).toEqual([]);
  });

  it('refuses frames past the in-flight limit in order, echoing their request_id', async () => {
    const client = await clients.as(await server.user(['CONTROL_STAFF']));
    const start = client.frames.length;
    for (let i = 0; i < 600; i++) client.send(`{"type":"get_active_conversations","data":{},"request_id":${i}}`);
    await expect.poll(() => client.frames.slice(start).filter(isReply).length, { timeout: 20_000 }).toBe(600);
    const answers = client.frames.slice(start).filter(isReply);
    // One answer per request, in the order the requests were sent, refusals included.
    expect(answers.map((f) => f.request_id)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(answers.filter((f) => f.message === 'Too many requests in flight').length).toBeGreaterThan(0);
    expect(answers.filter((f) => f.message === 'Too many requests in flight').every((f) => f.code === 'rate_limited')).toBe(true);
  });

  it('closes a connection that floods far past the limit with 1008', async () => {
    const client = await clients.as(await server.user(['CONTROL_STAFF']));
    // Tiny frames, so that one socket read carries more than the 2,048 the gateway tolerates.
    for (let i = 0; i < 8000; i++) client.send('{"type":"ping"}');
    expect(await client.waitClose(20_000)).toMatchObject({ code: 1008 });
  });

  it('answers a burst larger than the in-flight limit with exactly one answer per frame, and keeps the connection', async () => {
    const client = await clients.as(await server.user(['CONTROL_STAFF']));
    const start = client.frames.length;
    for (let i = 0; i < 1000; i++) client.send(i % 2 ? `{"type":"get_active_conversations","data":{},"request_id":${i}}` : `not json ${i}`);
    // The closing ping may itself be refused as one request too many: it gets an answer either way.
    client.send({ type: 'ping', timestamp: 'end-of-burst' });
    await expect.poll(() => client.frames.slice(start).filter(isReply).length, { timeout: 20_000 }).toBe(1001);
    const answers = client.frames.slice(start);
    const refused = answers.filter((f) => f.message === 'Too many requests in flight');
    const listed = answers.filter((f) => f.success === true);
    expect(new Set(listed.map((f) => f.request_id)).size).toBe(listed.length);
    expect(listed.length + answers.filter((f) => f.message === 'Invalid JSON format').length + refused.length + answers.filter((f) => f.type === 'pong').length).toBe(1001);
    client.send({ type: 'ping', timestamp: 'after-burst' });
    expect(await client.next((f) => f.type === 'pong' && f.timestamp === 'after-burst')).toMatchObject({ type: 'pong' });
    // Nothing answered twice: the pong that follows everything is the only answer added.
    expect(client.frames.slice(start).filter(isReply)).toHaveLength(1002);
  });
});
