import type { Logger } from 'pino';
import type { SearchRepository } from '../storage/store.js';

export interface SearchIndexerOptions {
  /** How often to look for messages the index has not reached. */
  readonly intervalMs: number;
  /** Messages indexed per transaction; a full batch is followed by the next one at once. */
  readonly batch: number;
}

export const SEARCH_INDEXER_DEFAULTS: SearchIndexerOptions = { intervalMs: 200, batch: 1000 };

/**
 * Keeps an index that catches up after the commit (SQLite's) close behind the messages: a batch
 * per transaction costs the writer far less per message than a trigram index written inside every
 * append's commit. Searches never wait for it (they read the rows past the index directly), so a
 * failure only makes them read more rows; it is logged and retried on the next tick.
 */
export class SearchIndexer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly search: Pick<SearchRepository, 'catchUp'>,
    private readonly logger: Logger,
    private readonly options: SearchIndexerOptions = SEARCH_INDEXER_DEFAULTS,
  ) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops ticking and waits for a batch in progress, so the store can close after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running || this.stopped) return;
    this.running = this.catchUp().finally(() => (this.running = undefined));
  }

  private async catchUp(): Promise<void> {
    try {
      // A full batch means more are waiting: go on, a turn of the event loop between batches.
      while (!this.stopped && (await this.search.catchUp(this.options.batch)) === this.options.batch) await new Promise((resolve) => setImmediate(resolve));
    } catch (err) {
      this.logger.warn({ err }, 'search index: catching up failed; the next tick retries (searches still find every message)');
    }
  }
}
