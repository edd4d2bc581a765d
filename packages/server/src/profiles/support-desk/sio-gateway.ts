import { Server, type Socket } from 'socket.io';
import type { Server as HttpServer } from 'node:http';
import { topics } from '../../bus/domain-event.js';
import type { UserActor } from '../../core/actor.js';
import { AppError, isAppError } from '../../core/errors.js';
import type { Metrics } from '../../ops/metrics.js';
import { Hub } from '../../realtime/hub.js';
import type { Services } from '../../services.js';
import { GENERAL_QUEUE } from '../../support/support-queues.js';
import type { UpgradeRouter } from '../../gateways/upgrade-router.js';
import { registerSioHandlers } from './sio-handlers.js';
import { AGENTS_ROOM, SioRenderer, sessionRoom } from './sio-renderer.js';

export const SIO_PATH = '/socket.io';

interface RoomSubscriber {
  readonly id: string;
}

/**
 * The support desk's Socket.IO server on the default path and namespace. Sockets join
 * `session:<id>` rooms; the node subscribes to a conversation's bus topic while any local socket
 * is in its room, and renders each event once per room.
 */
export class SioGateway {
  readonly io: Server;
  private readonly hub: Hub<RoomSubscriber>;
  private readonly renderer: SioRenderer;
  private readonly roomSubscribers = new Map<string, RoomSubscriber>();

  constructor(
    private readonly services: Services,
    server: HttpServer,
    router: UpgradeRouter,
    private readonly metrics: Metrics,
  ) {
    // Engine.IO handles its own upgrades; the router must leave them alone, and Engine.IO must
    // not destroy upgrades meant for the other gateways.
    router.add((path) => path === SIO_PATH || path.startsWith(`${SIO_PATH}/`), () => {});
    this.io = new Server(server, { path: SIO_PATH, destroyUpgrade: false, serveClient: false, maxHttpBufferSize: services.config.maxFrameBytes, cors: { origin: true } });
    this.renderer = new SioRenderer(this.io, services.store);
    this.hub = new Hub(services.bus, (event, topic) => this.renderer.render(event, topic));
    this.io.use((socket, next) => void this.authenticate(socket).then(() => next(), (error: Error) => next(error)));
    this.io.on('connection', (socket) => this.onConnection(socket));
    const adapter = this.io.of('/').adapter;
    adapter.on('create-room', (room: string) => this.follow(room));
    adapter.on('delete-room', (room: string) => this.unfollow(room));
  }

  private async authenticate(socket: Socket): Promise<void> {
    const auth = socket.handshake.auth as { token?: unknown };
    const header = socket.handshake.headers.authorization;
    const token = typeof auth.token === 'string' && auth.token !== '' ? auth.token : typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    if (!token) throw new Error('Authentication token required');
    try {
      socket.data.actor = await this.services.auth.authenticate(token.replace(/^Bearer\s+/i, ''));
    } catch (error) {
      // A database blip is not a bad token: the client keeps it and retries.
      if (isAppError(error) && error.code === 'store_unavailable') throw new Error('Service temporarily unavailable');
      throw new Error('Invalid authentication token');
    }
  }

  private onConnection(socket: Socket): void {
    const actor = socket.data.actor as UserActor;
    this.metrics.connections.inc({ gateway: 'socket.io' });
    void socket.join(`user:${actor.user.id}`);
    if (this.services.support.isStaff(actor)) void socket.join(AGENTS_ROOM);
    void this.services.presence.connected(actor.user.id, socket.id);
    registerSioHandlers(socket, actor, this.services);
    socket.on('disconnect', () => {
      this.metrics.connections.dec({ gateway: 'socket.io' });
      void this.services.presence.disconnected(actor.user.id, socket.id).catch(() => {});
    });
  }

  /** A room appeared on this node: subscribe to the bus topic it needs. */
  private follow(room: string): void {
    const topic = room.startsWith('session:')
      ? topics.conversation(room.slice(8))
      : room.startsWith('user:')
        ? topics.user(room.slice(5))
        : room === AGENTS_ROOM
          ? topics.queue(this.agentsQueue())
          : undefined;
    if (topic === undefined) return;
    const subscriber = { id: `sio:${room}` };
    this.roomSubscribers.set(room, subscriber);
    this.hub.add(subscriber, topic);
  }

  private unfollow(room: string): void {
    const subscriber = this.roomSubscribers.get(room);
    if (!subscriber) return;
    this.roomSubscribers.delete(room);
    this.hub.removeAll(subscriber);
  }

  /** Every case is announced to the general queue, so agents follow that one feed. */
  private agentsQueue(): string {
    return this.services.support.queues.has(GENERAL_QUEUE) ? GENERAL_QUEUE : this.services.support.queues.names[0]!;
  }

  async close(): Promise<void> {
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      // Closes Engine.IO only; the HTTP server belongs to Fastify.
      this.io.engine.close();
      resolve();
    });
  }
}

export { sessionRoom };
export const unauthorized = () => new AppError('forbidden', 'Unauthorized to join this session');
