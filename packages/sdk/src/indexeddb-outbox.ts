import type { OutboxRecord, OutboxStorage } from './outbox-storage.js';

const STORE = 'sends';

/**
 * Kept in the browser's IndexedDB, so sends made offline survive a reload or a closed tab.
 * Name the database per signed-in user (`switchboard-outbox:<userId>`) where several people may
 * use one browser: the next client on the same database sends what is in it.
 */
export function indexedDbOutbox(name = 'switchboard-outbox', factory: IDBFactory = globalThis.indexedDB): OutboxStorage {
  let opened: Promise<IDBDatabase> | undefined;
  const db = () =>
    (opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'clientId' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error(`could not open IndexedDB ${name}`));
    }));

  async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const database = await db();
    return new Promise<T>((resolve, reject) => {
      const tx = database.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      // Resolved on the transaction's completion, not the request's: only then is it durable.
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  }

  return {
    async load() {
      const records = await run<OutboxRecord[]>('readonly', (store) => store.getAll() as IDBRequest<OutboxRecord[]>);
      return records.sort((a, b) => a.order - b.order);
    },
    async put(record) {
      await run('readwrite', (store) => store.put(record));
    },
    async delete(clientId) {
      await run('readwrite', (store) => store.delete(clientId));
    },
  };
}
