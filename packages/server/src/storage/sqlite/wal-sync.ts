import { open, type FileHandle } from 'node:fs/promises';

/**
 * Makes commits durable off the event loop. The database runs with `synchronous=NORMAL`, so a
 * commit only writes its WAL frames; `sync()` then fsyncs the WAL file on libuv's thread pool.
 * The store awaits it before a commit counts as done, and holds back readers meanwhile, so
 * nothing is acknowledged or read before it is on stable storage, as with `synchronous=FULL`,
 * while the event loop keeps serving sockets during the fsync.
 */
export class WalSync {
  private handle: Promise<FileHandle | undefined> | undefined;
  private running = 0;

  constructor(private readonly walPath: string) {}

  /** True while an fsync is under way: committed data may not be durable yet. */
  get pending(): boolean {
    return this.running > 0;
  }

  async sync(): Promise<void> {
    this.running++;
    try {
      const handle = await (this.handle ??= this.openWal());
      await handle?.sync();
    } finally {
      this.running--;
    }
  }

  async close(): Promise<void> {
    const handle = await this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private async openWal(): Promise<FileHandle | undefined> {
    try {
      // The WAL keeps its inode while the database is open (SQLite rewinds it, never replaces
      // it), so one handle serves for the store's lifetime; fsync flushes the inode.
      return await open(this.walPath, 'r+');
    } catch (error) {
      this.handle = undefined;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
