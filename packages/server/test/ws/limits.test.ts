import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { conversation, eventually, OpenClients, openConnections, rawUpgrade, restHistory, restSend, watchUpgrades, type Frame, type TestUser } from './ws-fixtures.js';

const isNew = (f: Frame) => f.type === 'new_message';

async function joinedRoom(server: TestServer, clients: OpenClients, members: number) {
  const users: TestUser[] = [];
  for (let i = 0; i < members; i++) users.push(await server.user(['CONTROL_STAFF']));
  const id = await conversation(server, users[0]!, users.slice(1));
  return { users, id };
}

async function inRoom(client: TestWsClient, id: string): Promise<TestWsClient> {
  expect((await client.request('join_conversation', { conversation_id: id })).success).toBe(true);
  return client;
}

/** Resolves with the client once welcomed, or with the close code if refused. */
async function admitted(client: TestWsClient): Promise<'authenticated' | number> {
  return Promise.race([client.next((f) => f.type === 'authenticated').then(() => 'authenticated' as const), client.waitClose().then((c) => c.code)]);
}

describe('send rate limit (SEND_RATE_POINTS=5)', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer({ SEND_RATE_POINTS: '5', SEND_RATE_WINDOW_SECONDS: '60' });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  it('refuses the sixth message with rate_limited and retry_after, writes nothing, and keeps the connection', async () => {
    const { users, id } = await joinedRoom(server, clients, 2);
    const [a, b] = users as [TestUser, TestUser];
    const ca = await clients.as(a);
    const cb = await inRoom(await clients.as(b), id);
    for (let i = 1; i <= 5; i++) expect(await ca.request('send_chat_message', { conversation_id: id, content: `m${i}` })).toMatchObject({ success: true, seq: i });
    const sixth = await ca.request('send_chat_message', { conversation_id: id, content: 'one too many' });
    expect(sixth).toMatchObject({ success: false, code: 'rate_limited', error: expect.any(String) });
    expect(sixth.retry_after).toBeGreaterThanOrEqual(1);
    expect(sixth.retry_after).toBeLessThanOrEqual(60);

    ca.send({ type: 'ping', timestamp: 6 });
    expect(await ca.next((f) => f.type === 'pong')).toMatchObject({ timestamp: 6 });
    expect((await ca.request('get_conversation_messages', { conversation_id: id })).count).toBe(5);
    // The budget spans transports, and is per user.
    expect((await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'over REST' } })).status).toBe(429);
    expect(await cb.request('send_chat_message', { conversation_id: id, content: 'b has its own budget' })).toMatchObject({ success: true, seq: 6 });
    expect((await restHistory(server, a, id)).map((m) => m.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'b has its own budget']);
    for (let seq = 1; seq <= 5; seq++) expect((await cb.next(isNew)).message.seq).toBe(seq);
    await cb.nothing((f) => isNew(f) && f.message.content === 'one too many');
  });
});

describe('connections per user (MAX_CONNECTIONS_PER_USER=2)', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer({ MAX_CONNECTIONS_PER_USER: '2' });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  it('closes a third connection of one user with 4013, while the first two and other users keep working', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    const first = await clients.as(who);
    const second = await clients.as(who);
    const third = await clients.raw(who.token);
    expect((await third.waitClose()).code).toBe(4013);
    expect(third.frames).toEqual([{ type: 'error', message: 'Too many connections', code: 'rate_limited' }]);
    for (const c of [first, second]) {
      c.send({ type: 'ping', timestamp: 1 });
      expect(await c.next((f) => f.type === 'pong')).toMatchObject({ timestamp: 1 });
    }
    expect(await admitted(await clients.raw((await server.user(['CONTROL_STAFF'])).token))).toBe('authenticated');

    // A freed slot can be used again.
    first.close();
    await first.waitClose();
    let again: 'authenticated' | number = 0;
    await eventually(async () => (again = await admitted(await clients.raw(who.token))) === 'authenticated', 'a connection in the freed slot');
    expect(again).toBe('authenticated');
  });

  it('admits exactly MAX_CONNECTIONS_PER_USER of many connections opened at once', async () => {
    const who = await server.user(['CONTROL_STAFF']);
    const attempts = await Promise.all(Array.from({ length: 6 }, () => clients.raw(who.token)));
    const outcomes = await Promise.all(attempts.map(admitted));
    expect(outcomes.filter((o) => o === 'authenticated')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 4013)).toHaveLength(4);
  });
});

describe('a client that leaves while it is being authenticated', () => {
  let jwks: Server;
  let server: TestServer;
  let hold = false;
  let held: (() => void)[] = [];
  let requested: () => void = () => {};
  let privateKey: CryptoKey;
  const clients = new OpenClients(() => server);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    // A JWKS endpoint the test can stall, to keep a connection in the middle of authentication.
    jwks = createServer((_req, res) => {
      const answer = () => res.end(JSON.stringify({ keys: [jwk] }));
      requested();
      if (hold) held.push(answer);
      else answer();
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    server = await startTestServer({ JWKS_URL: `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks.json` });
  });
  afterEach(() => clients.closeAll());
  afterAll(async () => {
    await server.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  it('is forgotten: it does not stay registered, online and counted against the user', async () => {
    const token = await new SignJWT({ role: 'CONTROL_STAFF', name: 'Host User' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('host-user-leaver').setExpirationTime('1h').sign(privateKey);
    hold = true;
    const jwksAsked = new Promise<void>((resolve) => (requested = resolve));
    const upgrades = watchUpgrades(server, token);
    try {
      // The leaver upgrades; its authentication waits for the JWKS.
      const leaver = await rawUpgrade(server, `/v1/ws?token=${token}`);
      await jwksAsked;
      // A second connection of the same user waits for the same JWKS fetch.
      const stayer = clients.track(await TestWsClient.connect(server.url, token));
      expect(upgrades.sockets).toHaveLength(2);
      const leaverServerSide = upgrades.sockets[0] as Duplex;
      const gone = new Promise((resolve) => leaverServerSide.once('close', resolve));
      leaver.socket.destroy();
      await gone;
      hold = false;
      for (const answer of held.splice(0)) answer();

      expect(await admitted(stayer)).toBe('authenticated');
      await expect.poll(() => openConnections(server), { timeout: 2000, message: 'registered connections once only the stayer is left' }).toBe(1);
      stayer.close();
      await expect.poll(() => openConnections(server), { timeout: 2000, message: 'registered connections once the stayer left too' }).toBe(0);
    } finally {
      upgrades.stop();
      hold = false;
      for (const answer of held.splice(0)) answer();
    }
  });
});

describe('frame size (MAX_FRAME_BYTES=2048)', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer({ MAX_FRAME_BYTES: '2048' });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  /** A send_chat_message frame of exactly `bytes` bytes. */
  function frameOf(bytes: number, id: string, requestId: string): string {
    const shell = JSON.stringify({ type: 'send_chat_message', data: { conversation_id: id, content: '' }, request_id: requestId });
    const frame = JSON.stringify({ type: 'send_chat_message', data: { conversation_id: id, content: 'x'.repeat(bytes - Buffer.byteLength(shell)) }, request_id: requestId });
    expect(Buffer.byteLength(frame)).toBe(bytes);
    return frame;
  }

  it('answers a frame over the limit with "Frame too large", writes nothing, and keeps the connection', async () => {
    const { users, id } = await joinedRoom(server, clients, 2);
    const client = await clients.as(users[0]!);
    client.send(frameOf(2049, id, 'too-big'));
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ type: 'error', message: 'Frame too large' });
    // Multi-byte characters count as bytes, not characters.
    client.send(JSON.stringify({ type: 'send_chat_message', data: { conversation_id: id, content: 'é'.repeat(1100) } }));
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ type: 'error', message: 'Frame too large' });
    expect(await restHistory(server, users[0]!, id)).toEqual([]);

    client.send({ type: 'ping', timestamp: 2 });
    expect(await client.next((f) => f.type === 'pong')).toMatchObject({ timestamp: 2 });
    client.send(frameOf(2048, id, 'just-fits'));
    expect(await client.next((f) => f.request_id === 'just-fits')).toMatchObject({ success: true, seq: 1 });
  });

  it('closes a connection that sends more than 1 MiB in one frame with 1009', async () => {
    const client = await clients.as(await server.user(['CONTROL_STAFF']));
    client.send(JSON.stringify({ type: 'ping', padding: 'x'.repeat(1_048_577) }));
    expect((await client.waitClose()).code).toBe(1009);
  });
});

describe('slow consumers (MAX_BUFFERED_BYTES=16384)', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  const LIMIT = 16_384;
  beforeAll(async () => {
    server = await startTestServer({ MAX_BUFFERED_BYTES: String(LIMIT), SEND_RATE_POINTS: '100000' });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  it('closes a client that stops reading with 4008, keeps serving the others and stops buffering for it', async () => {
    const { users, id } = await joinedRoom(server, clients, 3);
    const [flooder, slowUser, observerUser] = users as [TestUser, TestUser, TestUser];
    const upgrades = watchUpgrades(server, slowUser.token);
    const slow = await inRoom(await clients.as(slowUser), id);
    upgrades.stop();
    const serverSide = upgrades.sockets[0]!;
    const observer = await inRoom(await clients.as(observerUser), id);
    const sender = await clients.as(flooder);
    const before = await openConnections(server);

    const rawClientSocket = (slow.ws as unknown as { _socket: Duplex })._socket;
    rawClientSocket.pause();
    const content = 'x'.repeat(6000);
    let sent = 0;
    const send = async () => {
      expect((await sender.request('send_chat_message', { conversation_id: id, content: `${sent} ${content}` })).success).toBe(true);
      sent++;
    };
    // Flood until the kernel buffers towards the paused client are full and the server has to
    // hold frames itself; a few more frames must then push it over the limit.
    while (serverSide.writableLength === 0 && !serverSide.destroyed && sent < 5000) await send();
    expect(serverSide.writableLength, `the server never had to buffer after ${sent} messages`).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) await send();
    // Whatever the server holds for the slow client stays bounded while the flood goes on
    // (20 more frames would be over 120 kB if it kept buffering).
    expect(serverSide.writableLength).toBeLessThanOrEqual(LIMIT + 2 * (content.length + 500));

    rawClientSocket.resume();
    expect(await slow.waitClose(3000)).toMatchObject({ code: 4008 });

    // The others were served throughout, and still are.
    for (let i = 0; i < sent; i++) expect((await observer.next(isNew)).message.seq).toBe(i + 1);
    expect(await observer.next((f) => f.type === 'presence' && f.user_id === slowUser.user.id)).toMatchObject({ status: 'offline' });
    await expect.poll(() => openConnections(server), { message: 'registered connections after the slow one was dropped' }).toBe(before - 1);
    const after = await sender.request('send_chat_message', { conversation_id: id, content: 'still here?' });
    expect((await observer.next(isNew)).message).toMatchObject({ id: after.message_id, content: 'still here?' });
    expect(observer.closed).toBeUndefined();
  });

  it('does not drop a client that reads promptly when a burst of messages arrives at once', async () => {
    const { users, id } = await joinedRoom(server, clients, 2);
    const [flooder, readerUser] = users as [TestUser, TestUser];
    const reader = await inRoom(await clients.as(readerUser), id);
    const sender = await clients.as(flooder);
    const content = 'y'.repeat(1000);
    // 30 frames of ~1.4 kB sent back to back: each fits easily, together they exceed 16 kB.
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => sender.request('send_chat_message', { conversation_id: id, content: `${i} ${content}` })));
    expect(replies.every((r) => r.success)).toBe(true);
    const received = await Promise.race([
      (async () => {
        const seqs: number[] = [];
        for (let i = 0; i < 30; i++) seqs.push((await reader.next(isNew, 3000)).message.seq);
        return seqs;
      })(),
      reader.waitClose(5000).then((closed) => ({ closed })),
    ]);
    expect(received).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(reader.closed).toBeUndefined();
  });
});

describe('large replies under the default buffer limit', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer({ SEND_RATE_POINTS: '1000' });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  it('answers a client that syncs a page of long messages instead of dropping it as a slow consumer', async () => {
    const { users, id } = await joinedRoom(server, clients, 2);
    const [writer, reader] = users as [TestUser, TestUser];
    // 120 messages at the default MAX_MESSAGE_LENGTH: a page of them is over 1 MiB.
    await Promise.all(Array.from({ length: 4 }, async (_, lane) => {
      for (let i = lane; i < 120; i += 4) await restSend(server, writer, id, `${String(i).padStart(4, '0')}${'z'.repeat(9996)}`);
    }));
    const client = await clients.as(reader);
    // Pages are bounded by bytes as well as by count: the client pages while has_more.
    const seqs: number[] = [];
    for (let more = true; more; ) {
      const reply = await Promise.race([client.request('sync', { conversations: [{ id, after_seq: seqs.at(-1) ?? 0 }], limit: 120 }, 10_000), client.waitClose(10_000).then((closed) => ({ closed }))]);
      expect(reply, JSON.stringify(reply).slice(0, 300)).toMatchObject({ success: true });
      const page = (reply as Frame).conversations[0];
      seqs.push(...page.messages.map((m: Frame) => m.seq as number));
      more = page.has_more;
    }
    expect(seqs).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(client.closed).toBeUndefined();
  });
});
