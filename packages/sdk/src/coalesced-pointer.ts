/**
 * A pointer (read or delivered) told to the server at most once per interval, carrying the
 * furthest seq asked for, never moving back. What is asked while offline goes out on `flush()`
 * after the reconnect; a failed send is simply asked again then.
 */
export class CoalescedPointer {
  private sent = 0;
  private wanted = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    /** Tells the server; resolves with the pointer the server holds now (it may be further). */
    private readonly tell: (seq: number) => Promise<number>,
    private readonly intervalMs: number,
    private readonly connected: () => boolean,
  ) {}

  /** The furthest seq known: asked for, or held by the server (another device moved it). */
  get value(): number {
    return Math.max(this.sent, this.wanted);
  }

  /** Asks for the pointer to move to `seq`. */
  moveTo(seq: number): void {
    if (seq <= this.wanted) return;
    this.wanted = seq;
    this.flush();
  }

  /** The server says the pointer is here already (a sync, another device): nothing to send for it. */
  known(seq: number): void {
    this.sent = Math.max(this.sent, seq);
    this.wanted = Math.max(this.wanted, seq);
  }

  /** Sends what is owed, unless the interval since the last send has not passed. */
  flush(): void {
    if (this.timer || this.wanted <= this.sent || !this.connected()) return;
    const seq = this.wanted;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.intervalMs);
    this.tell(seq).then(
      (held) => this.known(Math.max(held, seq)),
      () => {
        // Lost with the connection: flushed again after the reconnect.
      },
    );
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
