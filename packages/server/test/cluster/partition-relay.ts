import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** What the relay does with bytes: pass them on, or hold them as a network partition does. */
export type PartitionMode = 'forward' | 'blackhole';

/** One client connection and its upstream, with the bytes a partition holds back. */
interface Link {
  readonly client: Socket;
  upstream: Socket | undefined;
  /** Bytes from the client not yet delivered upstream, and the other way. */
  readonly toUpstream: Buffer[];
  readonly toClient: Buffer[];
}

/**
 * A TCP relay in front of a service (Redis, PostgreSQL) whose `blackhole` is a stall, not a
 * disconnect: established connections stay open and go silent in both directions, and new ones
 * are accepted and never answered, as behind a network partition that drops packets. Nothing
 * is reset, so only the client's own timeouts can notice. `forward` heals the partition: what
 * was held back is delivered in order (as TCP retransmission would) and upstream connections
 * are made for the connections that arrived meanwhile.
 *
 * Unlike `TcpRelay.set('blackhole')`, which resets every open connection first (a clean
 * disconnect that clients notice at once), this keeps them: the failure clients must survive
 * without being told.
 */
export class PartitionRelay {
  private readonly links = new Set<Link>();
  private modeValue: PartitionMode = 'forward';

  private constructor(
    private readonly server: Server,
    private readonly target: { readonly host: string; readonly port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<PartitionRelay> {
    const server = createServer();
    const relay = new PartitionRelay(server, target);
    server.on('connection', (client) => relay.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return relay;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get mode(): PartitionMode {
    return this.modeValue;
  }

  /** A URL of the target's scheme through the relay (`redis://127.0.0.1:<relay port>`). */
  urlFor(targetUrl: string): string {
    const url = new URL(targetUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Connections open through the relay now (held ones included). */
  get connections(): number {
    return this.links.size;
  }

  set(mode: PartitionMode): void {
    this.modeValue = mode;
    if (mode === 'forward') for (const link of this.links) this.heal(link);
  }

  async close(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream?.destroy();
    }
    this.links.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const link: Link = { client, upstream: undefined, toUpstream: [], toClient: [] };
    this.links.add(link);
    client.on('error', () => {});
    client.on('close', () => {
      this.links.delete(link);
      link.upstream?.destroy();
    });
    client.on('data', (chunk: Buffer) => {
      if (this.modeValue === 'forward' && link.upstream?.readyState === 'open') link.upstream.write(chunk);
      else link.toUpstream.push(chunk);
    });
    if (this.modeValue === 'forward') this.heal(link);
  }

  /** Connects upstream if not yet, and delivers what the partition held back. */
  private heal(link: Link): void {
    if (!link.upstream) {
      const upstream = connect(this.target);
      link.upstream = upstream;
      upstream.on('error', () => {});
      upstream.on('close', () => link.client.destroy());
      upstream.on('data', (chunk: Buffer) => {
        if (this.modeValue === 'forward') link.client.write(chunk);
        else link.toClient.push(chunk);
      });
      upstream.on('connect', () => this.flush(link));
      return;
    }
    this.flush(link);
  }

  private flush(link: Link): void {
    if (this.modeValue !== 'forward') return;
    if (link.upstream?.readyState === 'open') for (const chunk of link.toUpstream.splice(0)) link.upstream.write(chunk);
    for (const chunk of link.toClient.splice(0)) link.client.write(chunk);
  }
}
