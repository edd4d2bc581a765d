import { describe, expect, it } from 'vitest';
import { GroupCommit, type Outcome } from '../../src/storage/group-commit.js';

/** A runner that records each batch and answers after a real turn of the event loop. */
function recorder(answer: (item: number) => Outcome<string> = (n) => ({ ok: true, value: `v${n}` })) {
  const batches: number[][] = [];
  let running = 0;
  let maxRunning = 0;
  const run = async (items: readonly number[]) => {
    batches.push([...items]);
    maxRunning = Math.max(maxRunning, ++running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running--;
    return items.map(answer);
  };
  return { run, batches, maxRunning: () => maxRunning };
}

describe('GroupCommit', () => {
  it('hands everything submitted in one turn to one batch and answers each in order', async () => {
    const r = recorder();
    const group = new GroupCommit(r.run);
    const results = await Promise.all([1, 2, 3, 4].map((n) => group.submit(n)));
    expect(results).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(r.batches).toEqual([[1, 2, 3, 4]]);
  });

  it('queues what arrives while a batch is in flight into the next one', async () => {
    const r = recorder();
    const group = new GroupCommit(r.run);
    const first = group.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((n) => group.submit(n));
    expect(await Promise.all([first, ...later])).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('runs up to `concurrency` batches at once and cuts batches at `maxBatch`', async () => {
    const r = recorder();
    const group = new GroupCommit(r.run, { concurrency: 2, maxBatch: 3 });
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => group.submit(n)));
    expect(r.batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(r.maxRunning()).toBe(2);
  });

  it('rejects only the items the runner reports as failed', async () => {
    const boom = new Error('boom');
    const r = recorder((n) => (n === 2 ? { ok: false, error: boom } : { ok: true, value: `v${n}` }));
    const group = new GroupCommit(r.run);
    const settled = await Promise.allSettled([1, 2, 3].map((n) => group.submit(n)));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 'v1' },
      { status: 'rejected', reason: boom },
      { status: 'fulfilled', value: 'v3' },
    ]);
  });

  it('rejects the whole batch when the runner throws, and keeps serving afterwards', async () => {
    let fail = true;
    const group = new GroupCommit(async (items: readonly number[]) => {
      if (fail) throw new Error('store down');
      return items.map((n) => ({ ok: true as const, value: n * 10 }));
    });
    const settled = await Promise.allSettled([1, 2].map((n) => group.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await group.submit(3)).toBe(30);
  });

  it('rejects an item the runner forgot to report instead of leaving it hanging', async () => {
    const group = new GroupCommit(async () => []);
    await expect(group.submit(1)).rejects.toThrow(/no outcome/);
  });
});
