import { Server, type Socket } from 'socket.io';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { topics, type DomainEvent } from '../../bus/domain-event.js';
import type { Metrics } from '../../ops/metrics.js';
import { AdmissionRefused, ConnectionLifecycle, type Arrival, type EndReason, type Refusal } from '../../realtime/connection-lifecycle.js';
import { Hub } from '../../realtime/hub.js';
import type { EdgeServices } from '../../edge-services.js';
import type { UpgradeRouter } from '../../gateways/upgrade-router.js';
import type { RealtimeGateway } from '../profile.js';
import { dropEngineConnection, SioConnection } from './sio-connection.js';
import { registerSioHandlers } from './sio-handlers.js';
import { agentsRoom, SioRenderer, sessionRoom } from './sio-renderer.js';

export const SIO_PATH = '/socket.io';

/** `connect_error` texts of the support desk, by refusal. */
const REFUSALS: Record<Refusal, string> = {
  unauthenticated: 'Authentication token required',
  invalid_token: 'Invalid authentication token',
  too_many_connections: 'Too many connections',
  unavailable: 'Service temporarily unavailable',
};

interface RoomSubscriber {
  readonly id: string;
}

/** The parts of an Engine.IO connection its admission needs. */
interface EngineConnection {
  readonly request: IncomingMessage;
  readonly transport: { readonly socket?: { terminate?(): void } };
  close(discard?: boolean): void;
  once(event: 'close', listener: () => void): void;
}

function tokenOf(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown };
  const header = socket.handshake.headers.authorization;
  const token = typeof auth.token === 'string' && auth.token !== '' ? auth.token : typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
  return token?.replace(/^Bearer\s+/i, '');
}

/**
 * The support desk's Socket.IO server on the default path and namespace, on the shared
 * connection lifecycle. Sockets join `session:<id>` rooms; the node subscribes to a
 * conversation's bus topic while any local socket is in its room, and renders each event once
 * per room (Socket.IO encodes a packet once for all sockets of a room).
 */
export class SioGateway extends ConnectionLifecycle<SioConnection> implements RealtimeGateway {
  readonly io: Server;
  private readonly renderer: SioRenderer;
  private readonly rooms: Hub<RoomSubscriber>;
  private readonly roomSubscribers = new Map<string, RoomSubscriber>();
  private readonly bySocket = new Map<string, SioConnection>();
  /** Engine.IO connections not closed yet, each on the lifecycle's deadline until its socket is admitted. */
  private readonly arrivals = new WeakMap<object, Arrival>();

  constructor(services: EdgeServices, server: HttpServer, router: UpgradeRouter, metrics: Metrics) {
    // Engine.IO pings on its own (pingInterval/pingTimeout below).
    super(services, metrics, 'socket.io', { keepalive: false });
    // Engine.IO answers its own upgrades, on exactly `/socket.io/…` (its path plus a slash): the
    // router leaves those to it (and still closes any it fails to answer), and answers every
    // other path itself, `/socket.io` included. Engine.IO must not destroy the other gateways'.
    router.add((path) => path.startsWith(`${SIO_PATH}/`), () => {});
    const keepaliveMs = services.config.keepaliveSeconds * 1000;
    this.io = new Server(server, {
      path: SIO_PATH,
      destroyUpgrade: false,
      serveClient: false,
      maxHttpBufferSize: services.config.maxFrameBytes,
      cors: { origin: this.origins.corsOrigin() },
      // Before any session exists, on every transport: a foreign page's origin, a full address.
      allowRequest: (request, callback) => {
        const refusal = this.refusalOf(request);
        callback(refusal ?? null, refusal === undefined);
      },
      pingInterval: keepaliveMs,
      pingTimeout: keepaliveMs,
    });
    this.io.engine.on('connection', (engine: EngineConnection) => this.arrived(engine));
    this.renderer = new SioRenderer(this.io, services.directory);
    this.rooms = new Hub(services.events, (event, topic) => this.renderRoom(event, topic));
    this.io.use((socket, next) => {
      this.admit(tokenOf(socket)).then(
        (actor) => {
          socket.data.actor = actor;
          this.arrivals.get(socket.conn)?.admitted();
          next();
        },
        (error: unknown) => {
          const reason = error instanceof AdmissionRefused ? error.reason : 'unavailable';
          if (!(error instanceof AdmissionRefused)) this.logger.error({ err: error }, 'socket.io admission failed');
          next(new Error(REFUSALS[reason]));
        },
      );
    });
    this.io.on('connection', (socket) => void this.onConnection(socket));
    const adapter = this.io.of('/').adapter;
    adapter.on('create-room', (room: string) => this.followRoom(room));
    adapter.on('delete-room', (room: string) => this.unfollowRoom(room));
  }

  /**
   * An Engine.IO connection opened: it counts against its address until it closes, and is closed
   * unless a socket on it is admitted in time. A refusal here (`allowRequest` let a burst
   * through together) closes it at once.
   */
  private arrived(engine: EngineConnection): void {
    const expire = () => dropEngineConnection(engine);
    const arrival = this.arrive(engine.request, expire);
    if (typeof arrival === 'string') {
      expire();
      return;
    }
    this.arrivals.set(engine, arrival);
    engine.once('close', () => arrival.left());
  }

  private async onConnection(socket: Socket): Promise<void> {
    const connection = new SioConnection(socket, socket.data.actor);
    this.bySocket.set(socket.id, connection);
    socket.on('disconnect', () => {
      this.bySocket.delete(socket.id);
      void this.unregister(connection);
    });
    registerSioHandlers(socket, () => connection.actor, this.services);
    // The user's own room lets a broadcast skip all of the sender's sockets (`except`).
    void socket.join(`user:${connection.actor.user.id}`);
    const feed = this.services.support.queues.feedFor(connection.actor);
    if (feed !== undefined) void socket.join(agentsRoom(feed));
    try {
      await this.register(connection);
    } catch (error) {
      this.logger.warn({ err: error }, 'socket.io connection setup failed');
      socket.emit('error', { message: 'Service temporarily unavailable', code: 'store_unavailable', retryable: true });
      socket.disconnect(true);
      return;
    }
    // It may have gone while registering; `disconnect` ran before there was anything to forget.
    if (socket.disconnected) await this.unregister(connection);
  }

  /** Conversation events reach sockets through their session rooms, not one subscription each. */
  protected override follow(connection: SioConnection, conversationId: string): void {
    connection.conversations.add(conversationId);
  }

  /** Removed from the conversation: out of its room now, back in only if the new access allows. */
  protected override unfollow(connection: SioConnection, conversationId: string): void {
    connection.conversations.delete(conversationId);
    void this.recheckSession(connection, conversationId);
  }

  protected membershipChanged(): void {
    // The support desk has no event for it; the session room is left (unfollow).
  }

  /** Per-socket subscriptions carry only the user's own events, which the lifecycle applies. */
  protected render(): void {}

  protected end(connection: SioConnection, reason: EndReason): void {
    const { socket } = connection;
    if (reason === 'slow_consumer') {
      connection.drop();
      return;
    }
    if (reason === 'session_ended' || reason === 'token_expired') {
      socket.emit('error', { message: reason === 'session_ended' ? 'Session ended' : 'Token expired', code: 'invalid_token' });
    }
    socket.disconnect(true);
  }

  protected ping(): void {}

  /** New roles: the agents' feed is the new roles' queue's (if any), and each open session needs read access. */
  protected async rolesChanged(connection: SioConnection): Promise<void> {
    const { socket } = connection;
    const feed = this.services.support.queues.feedFor(connection.actor);
    for (const room of [...socket.rooms]) if (room.startsWith('agents:') && room !== (feed && agentsRoom(feed))) await socket.leave(room);
    if (feed !== undefined) await socket.join(agentsRoom(feed));
    for (const room of [...socket.rooms]) {
      if (room.startsWith('session:')) await this.recheckSession(connection, room.slice('session:'.length));
    }
  }

  private async recheckSession(connection: SioConnection, conversationId: string): Promise<void> {
    const room = sessionRoom(conversationId);
    if (!connection.socket.rooms.has(room)) return;
    // Out first, so nothing more is delivered while access is decided.
    await connection.socket.leave(room);
    const readable = await this.services.access.read(connection.actor, conversationId).then(() => true, () => false);
    if (readable && connection.socket.connected) await connection.socket.join(room);
  }

  private renderRoom(event: DomainEvent, topic: string): void {
    this.renderer.render(event, topic).then(
      () => this.checkRoom(topic),
      (error: unknown) => this.reportFailure(event, topic, error),
    );
  }

  /** After a room's emit, any of its sockets whose output backed up past the limit goes. */
  private checkRoom(topic: string): void {
    const room = topic.startsWith('conversation:') ? sessionRoom(topic.slice('conversation:'.length)) : topic.startsWith('queue:') ? agentsRoom(topic.slice('queue:'.length)) : undefined;
    const ids = room === undefined ? undefined : this.io.of('/').adapter.rooms.get(room);
    for (const id of ids ?? []) {
      const connection = this.bySocket.get(id);
      if (connection) this.checkBackpressure(connection);
    }
  }

  /** A room appeared on this node: subscribe to the bus topic it needs. */
  private followRoom(room: string): void {
    const topic = room.startsWith('session:') ? topics.conversation(room.slice(8)) : room.startsWith('agents:') ? topics.queue(room.slice(7)) : undefined;
    if (topic === undefined) return;
    const subscriber = { id: `sio:${room}` };
    this.roomSubscribers.set(room, subscriber);
    this.rooms.add(subscriber, topic);
  }

  private unfollowRoom(room: string): void {
    const subscriber = this.roomSubscribers.get(room);
    if (!subscriber) return;
    this.roomSubscribers.delete(room);
    this.rooms.removeAll(subscriber);
  }

  async close(): Promise<void> {
    this.endAll();
    this.io.disconnectSockets(true);
    // Closes Engine.IO only; the HTTP server belongs to Fastify.
    this.io.engine.close();
  }
}

export { sessionRoom };
