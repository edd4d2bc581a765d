import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OutboxRecord, OutboxStorage } from './outbox-storage.js';

/**
 * Kept in a JSON file (Node), so a process that restarts sends what it had not got acknowledged.
 * Each change rewrites the file through a temporary file, fsync and rename, so a crash leaves
 * either the old or the new list, never half of one. Changes are written one at a time.
 */
export function fileOutbox(path: string): OutboxStorage {
  const records = new Map<string, OutboxRecord>();
  let loaded: Promise<void> | undefined;
  let writing: Promise<void> = Promise.resolve();

  const load = () =>
    (loaded ??= readFile(path, 'utf8').then(
      (text) => {
        for (const record of JSON.parse(text) as OutboxRecord[]) records.set(record.clientId, record);
      },
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      },
    ));

  const persist = () => {
    const snapshot = JSON.stringify([...records.values()]);
    const next = writing.then(async () => {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(snapshot);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
    });
    // A failed write fails its own caller; the next change writes the whole list again.
    writing = next.catch(() => {});
    return next;
  };

  return {
    async load() {
      await load();
      return [...records.values()].sort((a, b) => a.order - b.order);
    },
    async put(record) {
      await load();
      records.set(record.clientId, record);
      await persist();
    },
    async delete(clientId) {
      await load();
      if (records.delete(clientId)) await persist();
    },
  };
}
