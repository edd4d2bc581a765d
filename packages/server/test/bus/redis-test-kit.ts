import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';

/** A namespace of its own for one test run, so runs sharing a Redis never see each other. */
export function testKeyPrefix(): string {
  return `sbtest:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** A plain connection for inspecting Redis from the outside (and for pulling the plug on clients). */
export async function openAdmin(url: string): Promise<Redis> {
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectionName: 'sbtest-admin' });
  admin.on('error', () => {});
  await admin.connect();
  return admin;
}

/** Deletes every key of a test namespace. */
export async function deleteKeys(admin: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/**
 * Kills the connections whose name contains `fragment` — a Redis restart as one client sees it,
 * without stopping the server other tests are using. Resolves how many were killed.
 */
export async function killClients(admin: Redis, fragment: string): Promise<number> {
  const list = String(await admin.call('CLIENT', 'LIST'));
  const ids = list
    .split('\n')
    .filter((line) => / name=(\S*)/.exec(line)?.[1]?.includes(fragment))
    .map((line) => / ?id=(\d+)/.exec(line)?.[1])
    .filter((id): id is string => id !== undefined);
  for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
  return ids.length;
}

/** How many connections are subscribed to a channel (`PUBSUB NUMSUB`). */
export async function subscriberCount(admin: Redis, channel: string): Promise<number> {
  const reply = (await admin.call('PUBSUB', 'NUMSUB', channel)) as unknown[];
  return Number(reply[1]);
}

/** Names of the client connections Redis currently holds. */
export async function clientNames(admin: Redis): Promise<string[]> {
  const list = String(await admin.call('CLIENT', 'LIST'));
  return list.split('\n').flatMap((line) => / name=(\S+)/.exec(line)?.[1] ?? []);
}

/**
 * A TCP relay in front of Redis that a test can take down and bring back: an outage as long as
 * the test likes, seen by the clients behind the relay only, while Redis serves everyone else.
 */
export class RedisRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly target: { host: string; port: number },
    private port: number,
  ) {}

  static async start(redisUrl: string): Promise<RedisRelay> {
    const { hostname, port } = new URL(redisUrl);
    const relay = new RedisRelay({ host: hostname, port: Number(port || 6379) }, 0);
    await relay.resume();
    return relay;
  }

  /** The URL clients use to reach Redis through the relay. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Drops every relayed connection and refuses new ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again, on the same port. */
  async resume(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }
}
