import type { Socket } from 'socket.io';
import type { Server as HttpServer } from 'node:http';
import { topics, type DomainEvent } from '../../bus/domain-event.js';
import type { Metrics } from '../../ops/metrics.js';
import type { Refusal } from '../../realtime/connection-lifecycle.js';
import { SioGatewayBase } from '../../realtime/socketio/sio-gateway-base.js';
import type { SioConnection } from '../../realtime/socketio/sio-connection.js';
import type { EdgeServices } from '../../edge-services.js';
import type { UpgradeRouter } from '../../gateways/upgrade-router.js';
import type { RealtimeGateway } from '../profile.js';
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

/**
 * The support desk's Socket.IO server on the default path and namespace, on the shared
 * Socket.IO base. Sockets join `session:<id>` rooms (a case's conversation) and agents the
 * `agents:<queue>` feed of the queue they staff.
 */
export class SioGateway extends SioGatewayBase implements RealtimeGateway {
  private readonly renderer: SioRenderer;

  constructor(services: EdgeServices, server: HttpServer, router: UpgradeRouter, metrics: Metrics) {
    super(services, server, router, metrics, { path: SIO_PATH, gateway: 'socket.io', refusals: REFUSALS });
    this.renderer = new SioRenderer(this.io, services.directory);
  }

  protected topicOf(room: string): string | undefined {
    if (room.startsWith('session:')) return topics.conversation(room.slice('session:'.length));
    if (room.startsWith('agents:')) return topics.queue(room.slice('agents:'.length));
    return undefined;
  }

  protected roomOf(topic: string): string | undefined {
    if (topic.startsWith('conversation:')) return sessionRoom(topic.slice('conversation:'.length));
    if (topic.startsWith('queue:')) return agentsRoom(topic.slice('queue:'.length));
    return undefined;
  }

  protected conversationRoom(conversationId: string): string {
    return sessionRoom(conversationId);
  }

  protected renderTopic(event: DomainEvent, topic: string): Promise<void> {
    return this.renderer.render(event, topic);
  }

  protected connected(socket: Socket, connection: SioConnection): void {
    registerSioHandlers(socket, () => connection.actor, this.services);
    const feed = this.services.support.queues.feedFor(connection.actor);
    if (feed !== undefined) void socket.join(agentsRoom(feed));
  }

  /** New roles: the agents' feed is the new roles' queue's (if any), and each open session needs read access. */
  protected override async rolesChanged(connection: SioConnection): Promise<void> {
    const { socket } = connection;
    const feed = this.services.support.queues.feedFor(connection.actor);
    for (const room of [...socket.rooms]) if (room.startsWith('agents:') && room !== (feed && agentsRoom(feed))) await socket.leave(room);
    if (feed !== undefined) await socket.join(agentsRoom(feed));
    await super.rolesChanged(connection);
  }
}

export { sessionRoom };
