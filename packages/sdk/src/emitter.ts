/** The events an emitter can send, each with its one argument. */
export type EventMap = { readonly [event: string]: unknown };

export type Listener<T> = (value: T) => void;

/**
 * A small typed event emitter for browsers and Node alike (no `events` module in the browser).
 * A throwing listener is reported and never stops the others: one bad UI handler must not keep
 * later listeners, or the SDK's own bookkeeping after the emit, from running.
 */
export class Emitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (error: unknown, event: PropertyKey) => void = reportListenerError) {}

  /** Adds a listener; the returned function removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, (value) => {
      off();
      listener(value);
    });
    return off;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  protected emit<K extends keyof E>(event: K, value: E[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<E[K]>)(value);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  protected removeAllListeners(): void {
    this.listeners.clear();
  }
}

function reportListenerError(error: unknown, event: PropertyKey): void {
  // Rethrown on a later tick so it surfaces as an uncaught error (devtools, process hooks)
  // without unwinding the SDK's own call stack.
  setTimeout(() => {
    throw error instanceof Error ? error : new Error(`listener for ${String(event)} threw: ${String(error)}`);
  });
}
