/**
 * Deliveries in flight per endpoint on this node, at most `limit` each, and at most `limit` more
 * waiting here for one of them: a slow receiver gets a bounded share of the runner's slots,
 * never all of them, and a short burst flows through without going back to the outbox.
 */
export class EndpointSlots {
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly limit: number) {}

  /**
   * Resolves true once the caller holds a slot for the endpoint (at once, or when one is handed
   * over); false at once when the endpoint has `limit` in flight and `limit` waiting already.
   */
  async take(endpointId: string): Promise<boolean> {
    const taken = this.inFlight.get(endpointId) ?? 0;
    if (taken < this.limit) {
      this.inFlight.set(endpointId, taken + 1);
      return true;
    }
    const queue = this.waiting.get(endpointId) ?? [];
    if (queue.length >= this.limit) return false;
    this.waiting.set(endpointId, queue);
    await new Promise<void>((resolve) => queue.push(resolve));
    return true;
  }

  /** Gives the slot to the next waiter, or frees it. */
  release(endpointId: string): void {
    const queue = this.waiting.get(endpointId);
    const next = queue?.shift();
    if (queue?.length === 0) this.waiting.delete(endpointId);
    if (next) return next();
    const taken = (this.inFlight.get(endpointId) ?? 1) - 1;
    if (taken <= 0) this.inFlight.delete(endpointId);
    else this.inFlight.set(endpointId, taken);
  }
}
