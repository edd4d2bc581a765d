import { fork, type ChildProcess } from 'node:child_process';
import { registerChild, stopChild } from '../child-registry.js';
import { benchProcess } from '../package-paths.js';
import type { WorkerCommand, WorkerMessage, WorkerReply } from './worker-protocol.js';

const WORKER = benchProcess('load-worker');

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** One forked load-generator process. */
class LoadWorker {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    let markReady: () => void = () => {};
    this.ready = new Promise((resolve) => (markReady = resolve));
    child.on('message', (message: WorkerReply) => {
      if (message.id === -1) return markReady();
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`load worker ${child.pid}: ${message.error}`));
    });
    child.on('error', (error) => {
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load worker ${child.pid} exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  call<T>(command: WorkerCommand): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error(`load worker ${this.child.pid} is gone`));
        return;
      }
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, command } satisfies WorkerMessage, (error) => {
        if (!error) return;
        this.pending.delete(id);
        reject(error);
      });
    });
  }
}

/** The load generator: `size` worker processes, each owning a slice of the clients. */
export class WorkerPool {
  private constructor(private readonly workers: LoadWorker[]) {}

  static async start(size: number): Promise<WorkerPool> {
    const workers = Array.from({ length: size }, () => {
      const child = fork(WORKER.entry, [], { execArgv: [...WORKER.execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      registerChild(child);
      return new LoadWorker(child);
    });
    await Promise.all(workers.map((w) => w.ready));
    return new WorkerPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  get pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  /** Sends each worker its own command (by index) and waits for every reply. */
  each<T>(command: (index: number) => WorkerCommand): Promise<T[]> {
    return Promise.all(this.workers.map((w, i) => w.call<T>(command(i))));
  }

  all<T>(command: WorkerCommand): Promise<T[]> {
    return this.each<T>(() => command);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        await Promise.race([w.call({ cmd: 'exit' }).catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
        await stopChild(w.child, 2000);
      }),
    );
  }
}
