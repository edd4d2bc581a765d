import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../src/types.js';
import { fakeClient, tick, useFakeClock } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
});

async function following(options: Parameters<typeof fakeClient>[0] = {}) {
  const harness = fakeClient(options);
  for (let i = 1; i <= 3; i++) harness.server.commitFrom('them', 'c1', `old ${i}`);
  await Promise.all([harness.client.connect(), tick()]);
  const conversation = harness.client.conversation('c1');
  const seen: number[] = [];
  conversation.on('message', (m) => seen.push(m.seq));
  await tick();
  return { ...harness, conversation, seen };
}

describe('resume from seq', () => {
  it('starts with the newest page, then takes live messages', async () => {
    useFakeClock();
    const { client, server, seen } = await following({ initialPage: 2 });
    expect(seen).toEqual([2, 3]);
    server.commitFrom('them', 'c1', 'live');
    await tick();
    expect(seen).toEqual([2, 3, 4]);
    client.close();
  });

  it('after a reconnect, delivers what was missed once, in order, before newer live messages', async () => {
    useFakeClock();
    const { client, server, seen } = await following({ syncPage: 2 });
    server.live!.drop(1006, '');
    for (let i = 0; i < 5; i++) server.commitFrom('them', 'c1', `missed ${i}`);
    // While the client catches up, a newer message arrives live on the new socket.
    server.intercept = (frame, socket) => {
      if (frame.type === 'sync' && frame.data.conversations[0].after_seq === 5) server.commitFrom('them', 'c1', 'live during sync');
      return 'answer';
    };
    await tick(600);
    await tick(100);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(server.sent('sync').length).toBeGreaterThanOrEqual(3);
    client.close();
  });

  it('a live gap is filled by a sync before anything after it is delivered', async () => {
    useFakeClock();
    const { client, server, seen } = await following();
    server.commitFrom('them', 'c1', 'lost on the bus', { live: false });
    server.commitFrom('them', 'c1', 'arrives');
    await tick();
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    client.close();
  });

  it('repeats are dropped', async () => {
    useFakeClock();
    const { client, server, seen } = await following();
    const message = server.messages('c1')[2]!;
    server.live!.push({ type: 'new_message', conversation_id: 'c1', message });
    server.live!.push({ type: 'new_message', conversation_id: 'c1', message });
    await tick();
    expect(seen).toEqual([1, 2, 3]);
    client.close();
  });

  it('edits of delivered messages are updates; of held ones, the held copy changes', async () => {
    useFakeClock();
    const { client, server, conversation } = await following();
    const updates: string[] = [];
    conversation.on('update', (u) => updates.push(`${u.change}:${u.message.seq}`));
    const first = server.messages('c1')[0]!;
    server.live!.push({ type: 'message_edited', conversation_id: 'c1', message: { ...first, content: 'edited' } });
    server.live!.push({ type: 'message_hidden', conversation_id: 'c1', message: { ...first, content: '', hidden: true } });
    await tick();
    expect(updates).toEqual(['edited:1', 'hidden:1']);
    client.close();
  });

  it('history pages back by exact seq ranges', async () => {
    useFakeClock();
    const { client, server, conversation } = await following({ initialPage: 1 });
    for (let i = 0; i < 20; i++) server.commitFrom('them', 'c1', `more ${i}`, { live: false });
    const older = await conversation.history({ beforeSeq: 10, limit: 4 });
    expect(older.map((m: Message) => m.seq)).toEqual([6, 7, 8, 9]);
    const first = await conversation.history({ beforeSeq: 3, limit: 50 });
    expect(first.map((m) => m.seq)).toEqual([1, 2]);
    client.close();
  });
});

describe('typing and receipts', () => {
  it('typing starts at most every 3 s and stops after 5 s idle; a send needs no stop', async () => {
    useFakeClock();
    const { client, server, conversation } = await following();
    for (let i = 0; i < 10; i++) {
      conversation.typing();
      await tick(400);
    }
    const frames = () => server.sent('typing_indicator').map((f) => f.data.is_typing);
    // 4 s of typing: a start at 0 s and a refresh at 3.2 s.
    expect(frames()).toEqual([true, true]);
    await tick(5000);
    expect(frames()).toEqual([true, true, false]);
    conversation.typing();
    await conversation.send({ content: 'done typing' });
    await tick(6000);
    expect(frames()).toEqual([true, true, false, true]);
    client.close();
  });

  it('read pointers are coalesced to one per second and never move back', async () => {
    useFakeClock();
    const { client, server, conversation } = await following();
    for (let i = 0; i < 10; i++) server.commitFrom('them', 'c1', `m${i}`);
    await tick();
    for (let seq = 1; seq <= 13; seq++) conversation.markRead(seq);
    conversation.markRead(2);
    await tick(1000);
    await tick(1000);
    expect(server.sent('mark_message_read').map((f) => f.data.seq)).toEqual([1, 13]);
    expect(conversation.readSeq).toBe(13);
    client.close();
  });

  it('delivered pointers follow what was delivered, coalesced', async () => {
    useFakeClock();
    const { client, server } = await following();
    for (let i = 0; i < 10; i++) server.commitFrom('them', 'c1', `m${i}`);
    await tick(2000);
    const seqs = server.sent('mark_delivered').map((f) => f.data.seq);
    expect(seqs.at(-1)).toBe(13);
    expect(seqs.length).toBeLessThanOrEqual(3);
    client.close();
  });

  it('a read asked for while offline goes out after the reconnect', async () => {
    useFakeClock();
    const { client, server, conversation } = await following();
    server.live!.drop(1006, '');
    await tick();
    conversation.markRead(3);
    await tick(600);
    await tick(100);
    expect(server.sent('mark_message_read').map((f) => f.data.seq)).toEqual([3]);
    client.close();
  });
});
