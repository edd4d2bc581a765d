import type { Socket } from 'socket.io';
import type { Server as HttpServer } from 'node:http';
import { topics, type DomainEvent } from '../../bus/domain-event.js';
import type { Metrics } from '../../ops/metrics.js';
import type { EndReason, Refusal } from '../../realtime/connection-lifecycle.js';
import { SioGatewayBase } from '../../realtime/socketio/sio-gateway-base.js';
import type { SioConnection } from '../../realtime/socketio/sio-connection.js';
import type { EdgeServices } from '../../edge-services.js';
import type { UpgradeRouter } from '../../gateways/upgrade-router.js';
import type { RealtimeGateway } from '../profile.js';
import { registerSteppergoHandlers } from './steppergo-handlers.js';
import { SteppergoRenderer, tripRoom } from './steppergo-renderer.js';

export const STEPPERGO_SIO_PATH = '/api/socket';

/** `connect_error` texts of StepperGO, by refusal. */
const REFUSALS: Record<Refusal, string> = {
  unauthenticated: 'Authentication required',
  invalid_token: 'Invalid or expired session',
  too_many_connections: 'Too many connections',
  unavailable: 'Service temporarily unavailable',
};

/**
 * StepperGO's Socket.IO server at `/api/socket`, on the shared Socket.IO base: sockets join
 * `user:<id>` at once and a trip's room on `join:conversation`, and get `heartbeat
 * {timestamp}` every `keepaliveSeconds` (30 s by default).
 */
export class SteppergoGateway extends SioGatewayBase implements RealtimeGateway {
  private readonly renderer: SteppergoRenderer;

  constructor(services: EdgeServices, server: HttpServer, router: UpgradeRouter, metrics: Metrics) {
    super(services, server, router, metrics, { path: STEPPERGO_SIO_PATH, gateway: 'steppergo', refusals: REFUSALS, heartbeat: true });
    this.renderer = new SteppergoRenderer(this.io, services.directory);
  }

  protected topicOf(room: string): string | undefined {
    return room.startsWith('conversation:') ? topics.conversation(room.slice('conversation:'.length)) : undefined;
  }

  protected roomOf(topic: string): string | undefined {
    return topic.startsWith('conversation:') ? tripRoom(topic.slice('conversation:'.length)) : undefined;
  }

  protected conversationRoom(conversationId: string): string {
    return tripRoom(conversationId);
  }

  protected renderTopic(event: DomainEvent): Promise<void> {
    return this.renderer.render(event);
  }

  protected connected(socket: Socket, connection: SioConnection): void {
    registerSteppergoHandlers(socket, () => connection.actor, this.services);
  }

  /** The application heartbeat; Engine.IO's own ping decides whether the peer is still there. */
  protected override ping(connection: SioConnection): void {
    connection.socket.emit('heartbeat', { timestamp: new Date().toISOString() });
    connection.alive = true;
  }

  protected override endNotice(reason: EndReason): Record<string, unknown> | undefined {
    if (reason === 'session_ended' || reason === 'token_expired') return { message: 'Invalid or expired session', code: 'invalid_token' };
    return undefined;
  }
}
