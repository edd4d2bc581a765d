import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileOutbox } from '../src/file-outbox.js';
import type { Message } from '../src/types.js';
import { FakeServer } from './fake-server.js';
import { fakeClient, tick, useFakeClock } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('sends through the outbox', () => {
  it('a send whose reply is lost is resent with the same client_id and resolves once, to the original', async () => {
    useFakeClock();
    const { client, server } = fakeClient();
    await Promise.all([client.connect(), tick()]);
    const conversation = client.conversation('c1');
    const seen: number[] = [];
    conversation.on('message', (m) => seen.push(m.seq));
    await tick();
    let cut = true;
    server.intercept = (frame) => (frame.type === 'send_chat_message' && cut ? ((cut = false), 'commit-then-close') : 'answer');
    const resolved = vi.fn();
    const sent = conversation.send({ content: 'arrived, reply lost' }).then((m) => {
      resolved(m);
      return m;
    });
    await tick();
    await tick(1000);
    const message = await sent;
    const frames = server.sent('send_chat_message');
    expect(frames).toHaveLength(2);
    expect(frames[0]!.data.client_id).toBe(frames[1]!.data.client_id);
    expect(server.messages('c1')).toHaveLength(1);
    expect(message.id).toBe(server.messages('c1')[0]!.id);
    expect(resolved).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([1]);
    expect(conversation.pending()).toEqual([]);
    client.close();
  });

  it('a send with no answer at all times out, the link is replaced, and the resend resolves it', async () => {
    useFakeClock();
    const { client, server } = fakeClient({ requestTimeoutMs: 2000 });
    await Promise.all([client.connect(), tick()]);
    const conversation = client.conversation('c1');
    await tick();
    let swallow = true;
    server.intercept = (frame) => (frame.type === 'send_chat_message' && swallow ? ((swallow = false), 'ignore') : 'answer');
    const sent = conversation.send({ content: 'hello' });
    await tick(2100);
    await tick(600);
    await expect(sent).resolves.toMatchObject({ seq: 1, content: 'hello' });
    expect(server.sockets).toHaveLength(2);
    expect(server.messages('c1')).toHaveLength(1);
    client.close();
  });

  it('sends made offline queue and go out in order on reconnect', async () => {
    useFakeClock();
    const { client, server } = fakeClient();
    server.down = true;
    void client.connect();
    const conversation = client.conversation('c1');
    const sends = ['one', 'two', 'three', 'four'].map((content) => conversation.send({ content }));
    await tick();
    await tick(500);
    expect(conversation.pending().map((p) => [p.draft.content, p.status])).toEqual([
      ['one', 'pending'],
      ['two', 'pending'],
      ['three', 'pending'],
      ['four', 'pending'],
    ]);
    server.down = false;
    await tick(1000);
    const messages = await Promise.all(sends);
    expect(messages.map((m) => [m.seq, m.content])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
      [4, 'four'],
    ]);
    expect(conversation.pending()).toEqual([]);
    client.close();
  });

  it('a retryable refusal waits retry_after and keeps later sends behind it', async () => {
    useFakeClock();
    const { client, server } = fakeClient();
    await Promise.all([client.connect(), tick()]);
    const conversation = client.conversation('c1');
    await tick();
    server.sendRefusals.push({ error: 'Slow mode is on', code: 'slow_mode', retryable: true, retry_after: 3 });
    const first = conversation.send({ content: 'first' });
    const second = conversation.send({ content: 'second' });
    await tick(2000);
    expect(server.messages('c1')).toHaveLength(0);
    await tick(1500);
    const [a, b] = await Promise.all([first, second]);
    expect([a.seq, b.seq]).toEqual([1, 2]);
    client.close();
  });

  it('a refusal for good fails the send, keeps it for retry or cancel, and does not block later sends', async () => {
    useFakeClock();
    const { client, server } = fakeClient();
    await Promise.all([client.connect(), tick()]);
    const conversation = client.conversation('c1');
    await tick();
    server.sendRefusals.push({ error: 'You are muted in this conversation', code: 'muted' });
    const refused = conversation.send({ content: 'while muted' });
    const later = conversation.send({ content: 'later' });
    await expect(refused).rejects.toMatchObject({ code: 'muted', retryable: false });
    await expect(later).resolves.toMatchObject({ seq: 1 });
    const [failed] = conversation.pending();
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'muted' }, draft: { content: 'while muted' } });
    const retried = await conversation.retry(failed!.clientId);
    expect(retried).toMatchObject({ seq: 2, content: 'while muted', client_id: failed!.clientId });
    server.sendRefusals.push({ error: 'Blocked', code: 'blocked_content' });
    const again = conversation.send({ content: 'bad word' });
    await expect(again).rejects.toMatchObject({ code: 'blocked_content' });
    const [blocked] = conversation.pending();
    expect(await conversation.cancel(blocked!.clientId)).toBe(true);
    expect(conversation.pending()).toEqual([]);
    client.close();
  });

  it('closing rejects waiting sends but leaves them in storage for the next client', async () => {
    // Real timers: the file outbox waits on real disk writes.
    const dir = mkdtempSync(join(tmpdir(), 'sdk-outbox-'));
    try {
      const path = join(dir, 'outbox.json');
      const server = new FakeServer();
      server.down = true;
      const first = fakeClient({ outbox: fileOutbox(path) }, server);
      first.client.connect().catch(() => {});
      const queued = [first.client.conversation('c1').send({ content: 'a' }), first.client.conversation('c1').send({ content: 'b' })];
      await vi.waitFor(() => expect(first.client.pending()).toHaveLength(2));
      first.client.close();
      const outcomes = await Promise.allSettled(queued);
      expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as { code: string }).code)).toEqual(['client_closed', 'client_closed']);
      const stored = JSON.parse(readFileSync(path, 'utf8')) as { clientId: string; draft: { content: string } }[];
      expect(stored.map((r) => r.draft.content)).toEqual(['a', 'b']);

      server.down = false;
      const second = fakeClient({ outbox: fileOutbox(path) }, server);
      const conversation = second.client.conversation('c1', { since: 0 });
      const seen: Message[] = [];
      conversation.on('message', (m) => seen.push(m));
      await second.client.connect();
      await vi.waitFor(() => expect(seen).toHaveLength(2));
      expect(server.messages('c1').map((m) => [m.content, m.client_id])).toEqual(stored.map((r) => [r.draft.content, r.clientId]));
      expect(seen.map((m) => m.content)).toEqual(['a', 'b']);
      await vi.waitFor(() => expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual([]));
      second.client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
