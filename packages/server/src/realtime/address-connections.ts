import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/** Whether an address (the `i`-th hop from the server) is a proxy whose forwarding is believed. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/** The trust of `TRUST_PROXY`'s list; nobody is trusted when it is empty. */
export function proxyTrust(proxies: readonly string[]): ProxyTrust {
  return proxies.length === 0 ? () => false : proxyAddr.compile([...proxies]);
}

/**
 * The client address a connection counts against: the TCP peer's, or, behind proxies the
 * deployment trusts, the nearest `X-Forwarded-For` hop that is not one of them (as Fastify
 * resolves `request.ip` for REST). IPv4-mapped IPv6 is folded to IPv4.
 */
export function clientAddress(request: IncomingMessage, trust: ProxyTrust = () => false): string {
  const address = request.socket.remoteAddress === undefined ? 'unknown' : proxyAddr(request, trust);
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** One count per node, whichever gateway asks: keyed by the node's services object. */
const perNode = new WeakMap<object, AddressConnections>();

/**
 * Open real-time connections per client address on this node, every gateway together, so a
 * cap holds however an address splits its connections between the native WebSocket and
 * Socket.IO. A connection takes a place when it arrives (before authentication: holding
 * unauthenticated sockets is the cheap attack) and gives it back when it closes.
 * @example const places = AddressConnections.of(services); if (places.take(address, max)) …; places.release(address);
 */
export class AddressConnections {
  private readonly counts = new Map<string, number>();

  /** The count shared by every gateway built over the same services (one node). */
  static of(node: object): AddressConnections {
    let counts = perNode.get(node);
    if (!counts) perNode.set(node, (counts = new AddressConnections()));
    return counts;
  }

  /** Open connections of an address. */
  count(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  /** Whether one more would pass `max` (0: no cap). */
  full(address: string, max: number): boolean {
    return max > 0 && this.count(address) >= max;
  }

  /** Takes a place for the address, unless that would pass `max`. */
  take(address: string, max: number): boolean {
    if (this.full(address, max)) return false;
    this.counts.set(address, this.count(address) + 1);
    return true;
  }

  /** Gives a place back; call once per successful `take`. */
  release(address: string): void {
    const left = this.count(address) - 1;
    if (left > 0) this.counts.set(address, left);
    else this.counts.delete(address);
  }
}
