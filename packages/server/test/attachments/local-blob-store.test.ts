import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/attachments/local-blob-store.js';
import { readAll } from '../../src/attachments/byte-streams.js';

const KEY = 'abcdefghijklmnopqrstuvwxyz012345';

describe('LocalBlobStore', () => {
  let root: string;
  let blobs: LocalBlobStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'switchboard-blobs-'));
    blobs = new LocalBlobStore(join(root, 'uploads'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const allFiles = () => readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());

  it('stores a stream, reports its size, and reads it back with that size', async () => {
    async function* chunks() {
      yield Buffer.from('hello ');
      yield Buffer.from('world');
    }
    expect(await blobs.put(KEY, chunks())).toBe(11);
    expect(await blobs.exists(KEY)).toBe(true);
    const blob = await blobs.get(KEY);
    expect(blob?.size).toBe(11);
    expect((await readAll(blob!.stream)).toString()).toBe('hello world');
  });

  it('stores a buffer', async () => {
    expect(await blobs.put(KEY, Buffer.from('abc'))).toBe(3);
    expect((await readAll((await blobs.get(KEY))!.stream)).toString()).toBe('abc');
  });

  it('answers undefined and false for a missing key, and deletes idempotently', async () => {
    expect(await blobs.get(KEY)).toBeUndefined();
    expect(await blobs.exists(KEY)).toBe(false);
    await blobs.put(KEY, Buffer.from('x'));
    await blobs.delete(KEY);
    await blobs.delete(KEY);
    expect(await blobs.exists(KEY)).toBe(false);
  });

  it('never shows a blob before it is complete, and leaves nothing when the source fails', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* failing() {
      yield Buffer.from('partial');
      await gate;
      throw new Error('client went away');
    }
    const writing = blobs.put(KEY, failing());
    await new Promise((r) => setTimeout(r, 20));
    expect(await blobs.exists(KEY)).toBe(false);
    release();
    await expect(writing).rejects.toThrow('client went away');
    expect(await blobs.exists(KEY)).toBe(false);
    expect(allFiles()).toEqual([]);
  });

  it('refuses keys that could name a path', async () => {
    for (const key of ['../../etc/passwd', 'a/b' + KEY, `${KEY}.txt`, '..', 'short', `${KEY}\0`, '']) {
      await expect(blobs.put(key, Buffer.from('x')), key).rejects.toThrow(/Invalid blob key/);
      await expect(blobs.get(key), key).rejects.toThrow(/Invalid blob key/);
    }
    expect(allFiles()).toEqual([]);
  });
});
