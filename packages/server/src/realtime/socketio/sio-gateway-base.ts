import { Server, type Socket } from 'socket.io';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { DomainEvent } from '../../bus/domain-event.js';
import type { Metrics } from '../../ops/metrics.js';
import type { EdgeServices } from '../../edge-services.js';
import type { UpgradeRouter } from '../../gateways/upgrade-router.js';
import { AdmissionRefused, ConnectionLifecycle, type Arrival, type EndReason, type Refusal } from '../connection-lifecycle.js';
import { Hub } from '../hub.js';
import { dropEngineConnection, SioConnection } from './sio-connection.js';

/** How one profile speaks Socket.IO: where, and the texts it refuses and ends with. */
export interface SioProfileOptions {
  /** Engine.IO's path (`/socket.io`, `/api/socket`). */
  readonly path: string;
  /** Label in logs and metrics. */
  readonly gateway: string;
  /** `connect_error` texts, by refusal. */
  readonly refusals: Record<Refusal, string>;
  /**
   * Whether the lifecycle calls `ping` every `keepaliveSeconds` (for an application-level
   * heartbeat; Engine.IO pings on its own either way). @default false
   */
  readonly heartbeat?: boolean;
}

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

/** The token of a handshake: `auth.token` (with or without `Bearer `), else `Authorization: Bearer`. */
function tokenOf(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown };
  const header = socket.handshake.headers.authorization;
  const token = typeof auth.token === 'string' && auth.token !== '' ? auth.token : typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
  return token?.replace(/^Bearer\s+/i, '');
}

/**
 * Socket.IO on the shared connection lifecycle, for every profile that speaks it (template
 * method). The base owns the Engine.IO server on the profile's path, arrival and admission
 * (`connect_error` in the profile's texts), the user's own room (`user:<id>`), the bus
 * subscriptions of the rooms sockets are in (one per room and node: Socket.IO encodes a packet
 * once for a room), backpressure after each room's emit (engine drop of a slow consumer), and
 * following membership (removed: out of the room now, back only if access allows).
 *
 * A profile says which rooms follow which topics (`topicOf`, `roomOf`), renders a topic's event
 * to its rooms (`renderTopic`), binds its events on a new socket (`connected`), and may react
 * to new roles (`rolesChanged`).
 */
export abstract class SioGatewayBase extends ConnectionLifecycle<SioConnection> {
  readonly io: Server;
  private readonly rooms: Hub<RoomSubscriber>;
  private readonly roomSubscribers = new Map<string, RoomSubscriber>();
  private readonly bySocket = new Map<string, SioConnection>();
  /** Engine.IO connections not closed yet, each on the lifecycle's deadline until its socket is admitted. */
  private readonly arrivals = new WeakMap<object, Arrival>();

  protected constructor(services: EdgeServices, server: HttpServer, router: UpgradeRouter, metrics: Metrics, private readonly profile: SioProfileOptions) {
    // Engine.IO pings on its own (pingInterval/pingTimeout below); `heartbeat` is the profile's.
    super(services, metrics, profile.gateway, { keepalive: profile.heartbeat ?? false });
    // Engine.IO answers its own upgrades, on exactly `<path>/…`: the router leaves those to it
    // (and still closes any it fails to answer), and answers every other path itself.
    // Engine.IO must not destroy the other gateways' upgrades.
    router.add((path) => path.startsWith(`${profile.path}/`), () => {});
    const keepaliveMs = services.config.keepaliveSeconds * 1000;
    this.io = new Server(server, {
      path: profile.path,
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
          if (!(error instanceof AdmissionRefused)) this.logger.error({ err: error, gateway: this.gateway }, 'socket.io admission failed');
          next(new Error(profile.refusals[reason]));
        },
      );
    });
    this.io.on('connection', (socket) => void this.onConnection(socket));
    const adapter = this.io.of('/').adapter;
    adapter.on('create-room', (room: string) => this.followRoom(room));
    adapter.on('delete-room', (room: string) => this.unfollowRoom(room));
  }

  /** The bus topic a room of this profile follows, if any (`session:<id>` → `conversation:<id>`). */
  protected abstract topicOf(room: string): string | undefined;
  /** The room a topic's events are emitted to, whose sockets are checked for backpressure after. */
  protected abstract roomOf(topic: string): string | undefined;
  /** The room of a conversation, which a socket leaves when the user leaves the conversation. */
  protected abstract conversationRoom(conversationId: string): string;
  /** Emits a topic's event to this node's rooms; settles when emitted. */
  protected abstract renderTopic(event: DomainEvent, topic: string): Promise<void>;
  /** Binds the profile's events and rooms on an admitted socket, before it is registered. */
  protected abstract connected(socket: Socket, connection: SioConnection): void;

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
    // The user's own room lets a broadcast skip all of the sender's sockets (`except`).
    void socket.join(`user:${connection.actor.user.id}`);
    this.connected(socket, connection);
    try {
      await this.register(connection);
    } catch (error) {
      this.logger.warn({ err: error, gateway: this.gateway }, 'socket.io connection setup failed');
      socket.emit('error', { message: 'Service temporarily unavailable', code: 'store_unavailable', retryable: true });
      socket.disconnect(true);
      return;
    }
    // It may have gone while registering; `disconnect` ran before there was anything to forget.
    if (socket.disconnected) await this.unregister(connection);
  }

  /** Conversation events reach sockets through their rooms, not one subscription each. */
  protected override follow(connection: SioConnection, conversationId: string): void {
    connection.conversations.add(conversationId);
  }

  /** Removed from the conversation: out of its room now, back in only if the new access allows. */
  protected override unfollow(connection: SioConnection, conversationId: string): void {
    connection.conversations.delete(conversationId);
    void this.recheckRoom(connection, conversationId);
  }

  protected membershipChanged(): void {
    // Nothing to tell: the room is left (unfollow), which is all a client sees.
  }

  /** Per-socket subscriptions carry only the user's own events, which the lifecycle applies. */
  protected render(): void {}

  /** The `error {message}` a socket is sent before the server ends its session; none by default. */
  protected endNotice(reason: EndReason): Record<string, unknown> | undefined {
    if (reason === 'session_ended') return { message: 'Session ended', code: 'invalid_token' };
    if (reason === 'token_expired') return { message: 'Token expired', code: 'invalid_token' };
    return undefined;
  }

  protected end(connection: SioConnection, reason: EndReason): void {
    const { socket } = connection;
    if (reason === 'slow_consumer') {
      connection.drop();
      return;
    }
    const notice = this.endNotice(reason);
    if (notice !== undefined) socket.emit('error', notice);
    socket.disconnect(true);
  }

  protected ping(_connection: SioConnection): void {}

  protected async rolesChanged(connection: SioConnection): Promise<void> {
    for (const room of [...connection.socket.rooms]) {
      const topic = this.topicOf(room);
      if (topic?.startsWith('conversation:')) await this.recheckRoom(connection, topic.slice('conversation:'.length));
    }
  }

  /** Leaves a conversation's room, and joins it again only if the user may still read it. */
  protected async recheckRoom(connection: SioConnection, conversationId: string): Promise<void> {
    const room = this.conversationRoom(conversationId);
    if (!connection.socket.rooms.has(room)) return;
    // Out first, so nothing more is delivered while access is decided.
    await connection.socket.leave(room);
    const readable = await this.services.access.read(connection.actor, conversationId).then(() => true, () => false);
    if (readable && connection.socket.connected) await connection.socket.join(room);
  }

  private renderRoom(event: DomainEvent, topic: string): void {
    this.renderTopic(event, topic).then(
      () => this.checkRoom(topic),
      (error: unknown) => this.reportFailure(event, topic, error),
    );
  }

  /** After a room's emit, any of its sockets whose output backed up past the limit goes. */
  private checkRoom(topic: string): void {
    const room = this.roomOf(topic);
    const ids = room === undefined ? undefined : this.io.of('/').adapter.rooms.get(room);
    for (const id of ids ?? []) {
      const connection = this.bySocket.get(id);
      if (connection) this.checkBackpressure(connection);
    }
  }

  /** A room appeared on this node: subscribe to the bus topic it needs. */
  private followRoom(room: string): void {
    const topic = this.topicOf(room);
    if (topic === undefined) return;
    const subscriber = { id: `sio:${this.profile.path}:${room}` };
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
