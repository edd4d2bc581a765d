import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, BLOB_KEY_PATTERN, type BlobObject, type BlobSource, type BlobStore } from './blob-store.js';

/**
 * Blobs as files under `root` (`${DATA_DIR}/uploads`), sharded by the key's first two characters.
 * Writes go to `root/.tmp` first and are renamed into place, which is atomic on one filesystem,
 * so a crash or a failed upload never leaves a partial file under a key.
 */
export class LocalBlobStore implements BlobStore {
  private readonly tmpDir: string;

  constructor(private readonly root: string) {
    this.tmpDir = join(root, '.tmp');
  }

  async put(key: string, source: BlobSource): Promise<number> {
    const target = this.pathOf(key);
    await mkdir(this.tmpDir, { recursive: true });
    const temp = join(this.tmpDir, `${key}.${randomBytes(6).toString('hex')}.part`);
    let size = 0;
    const counted = async function* (chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) {
        size += chunk.length;
        yield chunk;
      }
    };
    try {
      const chunks = source instanceof Uint8Array ? Readable.from([source]) : source;
      await pipeline(chunks, counted, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
      await mkdir(join(target, '..'), { recursive: true });
      await rename(temp, target);
      return size;
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<BlobObject | undefined> {
    // One open handle for both the size and the bytes, so they always agree.
    const handle = await open(this.pathOf(key), 'r').catch(ifMissing(undefined));
    if (!handle) return undefined;
    try {
      const { size } = await handle.stat();
      // The stream owns the handle from here and closes it when it ends or is destroyed.
      return { stream: handle.createReadStream(), size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    const info = await stat(this.pathOf(key)).catch(ifMissing(undefined));
    return info?.isFile() ?? false;
  }

  async *keysBefore(before: Date): AsyncIterable<string> {
    for (const shard of await readdir(this.root).catch(ifMissing([] as string[]))) {
      if (shard === '.tmp') continue;
      for (const name of await readdir(join(this.root, shard)).catch(ifMissing([] as string[]))) {
        if (!BLOB_KEY_PATTERN.test(name) || !name.startsWith(shard)) continue;
        const info = await stat(join(this.root, shard, name)).catch(ifMissing(undefined));
        if (info?.isFile() && info.mtimeMs < before.getTime()) yield name;
      }
    }
  }

  async deleteIncomplete(before: Date): Promise<number> {
    let deleted = 0;
    for (const name of await readdir(this.tmpDir).catch(ifMissing([] as string[]))) {
      if (!name.endsWith('.part')) continue;
      const path = join(this.tmpDir, name);
      const info = await stat(path).catch(ifMissing(undefined));
      if (!info || info.mtimeMs >= before.getTime()) continue;
      await rm(path, { force: true });
      deleted++;
    }
    return deleted;
  }

  private pathOf(key: string): string {
    assertBlobKey(key);
    return join(this.root, key.slice(0, 2), key);
  }
}

function ifMissing<T>(fallback: T): (error: NodeJS.ErrnoException) => T {
  return (error) => {
    if (error.code === 'ENOENT') return fallback;
    throw error;
  };
}
