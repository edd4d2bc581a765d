/**
 * The user's own typing indicator: a start at most every `throttleMs` (which also refreshes the
 * server's expiry), and a stop after `idleMs` without a keystroke. Never queued: a typing frame
 * that cannot go now is stale by the time it could.
 */
export class TypingSignal {
  private on = false;
  private sentAt = 0;
  private idle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly tell: (isTyping: boolean) => void,
    private readonly throttleMs: number,
    private readonly idleMs: number,
  ) {}

  keystroke(): void {
    const now = Date.now();
    if (!this.on || now - this.sentAt >= this.throttleMs) {
      this.on = true;
      this.sentAt = now;
      this.tell(true);
    }
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop(), this.idleMs);
  }

  /** Stops; `tell: false` when the server already knows (a send ends typing there). */
  stop(tell = true): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    if (!this.on) return;
    this.on = false;
    if (tell) this.tell(false);
  }
}
