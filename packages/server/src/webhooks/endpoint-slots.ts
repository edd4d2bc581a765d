/**
 * Deliveries in flight per endpoint on this node, at most `limit` each: a slow receiver gets its
 * share of the runner's slots, never all of them.
 */
export class EndpointSlots {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Takes a slot for the endpoint; false when it has `limit` deliveries in flight already. */
  tryTake(endpointId: string): boolean {
    const taken = this.inFlight.get(endpointId) ?? 0;
    if (taken >= this.limit) return false;
    this.inFlight.set(endpointId, taken + 1);
    return true;
  }

  release(endpointId: string): void {
    const taken = (this.inFlight.get(endpointId) ?? 1) - 1;
    if (taken <= 0) this.inFlight.delete(endpointId);
    else this.inFlight.set(endpointId, taken);
  }
}
