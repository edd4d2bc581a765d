import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** What the relay does with connections: pass them on, refuse them, or swallow them. */
export type RelayMode = 'forward' | 'refuse' | 'blackhole';

/**
 * A TCP relay in front of a service (PostgreSQL here) that a test can cut and restore, so one
 * node loses the service while the service itself keeps running for everyone else.
 *
 * - `forward`: pipes every connection to the target.
 * - `refuse`: nothing listens; connecting fails at once (ECONNREFUSED), as during a restart.
 * - `blackhole`: connections are accepted and never answered, as behind a network partition;
 *   only the client's own timeouts end them.
 *
 * Switching mode drops every open connection, as a cut cable or a failover does.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private modeValue: RelayMode = 'forward';

  private constructor(
    private readonly target: { readonly host: string; readonly port: number },
    private portValue: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpRelay> {
    const relay = new TcpRelay(target, 0);
    await relay.listen();
    return relay;
  }

  get port(): number {
    return this.portValue;
  }

  get mode(): RelayMode {
    return this.modeValue;
  }

  /** Drops every connection, then handles new ones as `mode` says. */
  async set(mode: RelayMode): Promise<void> {
    this.modeValue = mode;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (mode === 'refuse') await this.unlisten();
    else if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    this.modeValue = 'refuse';
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await this.unlisten();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => {
      this.track(client);
      if (this.modeValue !== 'forward') return;
      const upstream = connect(this.target);
      this.track(upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    // The same port every time, so the node's DATABASE_URL stays valid across a cut.
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.portValue, '127.0.0.1', () => resolve());
    });
    this.portValue = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private async unlisten(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
