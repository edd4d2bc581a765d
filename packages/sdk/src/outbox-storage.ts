import type { PendingSend } from './types.js';

/** One unacknowledged send as it is stored, in the order the app made it. */
export interface OutboxRecord extends PendingSend {
  /** Creation order, kept across reloads (ids made in the same millisecond do not sort). */
  readonly order: number;
}

/**
 * Where the outbox keeps sends until the server acknowledges them. Writes are awaited before a
 * send goes out, so a crash or reload after `send()` returned never loses one: the next client
 * on the same storage sends it again with the same `client_id`.
 */
export interface OutboxStorage {
  load(): Promise<OutboxRecord[]>;
  put(record: OutboxRecord): Promise<void>;
  delete(clientId: string): Promise<void>;
}

/** Kept in memory: survives reconnects, not a reload or a restart. The default. */
export function memoryOutbox(): OutboxStorage {
  const records = new Map<string, OutboxRecord>();
  return {
    async load() {
      return [...records.values()];
    },
    async put(record) {
      records.set(record.clientId, record);
    },
    async delete(clientId) {
      records.delete(clientId);
    },
  };
}
