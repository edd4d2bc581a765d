import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { CLOSE_CODES, MOREVANS_ROOM_FRAMES, MOREVANS_WS_ERRORS, type MorevansRoomFrameType } from '@switchboard/protocol';
import { topics, type DomainEvent } from '../../bus/domain-event.js';
import type { UserActor } from '../../core/actor.js';
import { isAppError, retryAfterOf } from '../../core/errors.js';
import { compileValidator } from '../../core/validation.js';
import type { EdgeServices } from '../../edge-services.js';
import type { UpgradeRouter } from '../../gateways/upgrade-router.js';
import type { Metrics } from '../../ops/metrics.js';
import type { AdmissionRefused, EndReason } from '../../realtime/connection-lifecycle.js';
import { WsGatewayBase } from '../../realtime/ws/ws-gateway-base.js';
import type { RealtimeGateway } from '../profile.js';
import { morevansText } from './morevans-error-shape.js';
import { MorevansConnection } from './morevans-connection.js';
import { MorevansRenderer } from './morevans-renderer.js';
import { normaliseId } from './morevans-shapes.js';

const ROOM_PATH = /^\/ws\/chat\/([^/]+)\/?$/;
const NOTIFICATIONS_PATH = /^\/ws\/notifications\/?$/;
/** Frames a connection may have waiting for processing before it is closed as a flood. */
const MAX_PENDING_FRAMES = 256;

const validators = Object.fromEntries(Object.entries(MOREVANS_ROOM_FRAMES).map(([type, s]) => [type, compileValidator(s)])) as Record<MorevansRoomFrameType, ReturnType<typeof compileValidator>>;

/** Where the path says to connect: a room (its id as sent) or the notifications socket. */
function targetOf(request: IncomingMessage): { room: string | undefined } {
  const path = (request.url ?? '/').split('?')[0]!;
  const match = ROOM_PATH.exec(path);
  if (!match) return { room: undefined };
  let raw = match[1]!;
  try {
    raw = decodeURIComponent(raw);
  } catch {
    // A malformed escape names no room anyone has: refused below like any unknown room.
  }
  return { room: normaliseId(raw) };
}

/**
 * MoreVans' sockets: `/ws/chat/{room_id}/?token=` (one room) and `/ws/notifications/?token=`
 * (the user's rooms, while they are elsewhere). Both authenticate after the upgrade and refuse
 * with close codes: 4001 for a bad token, 4003 for a room the user may not read, whether or not
 * it exists. Everything else about the connection is the shared lifecycle's.
 */
export class MorevansGateway extends WsGatewayBase<MorevansConnection> implements RealtimeGateway {
  private readonly renderer: MorevansRenderer;
  /** Open room sockets on this node, per user and room: their notifications stay quiet for that room. */
  private readonly viewers = new Map<string, number>();

  constructor(services: EdgeServices, router: UpgradeRouter, metrics: Metrics) {
    super(services, metrics, 'morevans');
    this.renderer = new MorevansRenderer(services.directory, (userId, room) => (this.viewers.get(viewerKey(userId, room)) ?? 0) > 0);
    router.add((path) => ROOM_PATH.test(path) || NOTIFICATIONS_PATH.test(path), (request, socket, head) => this.upgrade(request, socket, head));
  }

  protected render(event: DomainEvent, topic: string, subscribers: ReadonlySet<MorevansConnection>): void {
    this.renderer.render(event, subscribers).catch((error: unknown) => this.reportFailure(event, topic, error));
  }

  protected end(connection: MorevansConnection, reason: EndReason): void {
    if (reason === 'session_ended' || reason === 'token_expired') connection.flushAndClose(CLOSE_CODES.authFailed, reason === 'session_ended' ? 'Session ended' : 'Token expired');
    else this.endPlainly(connection, reason);
  }

  /** New roles: a room read without taking part (a support room's staff) must still be readable. */
  protected async rolesChanged(connection: MorevansConnection): Promise<void> {
    const { room } = connection;
    if (room === undefined || connection.conversations.has(room)) return;
    const readable = await this.services.access.read(connection.actor, room).then(() => true, () => false);
    if (!readable) connection.close(CLOSE_CODES.forbidden, 'Not a participant');
  }

  protected membershipChanged(connection: MorevansConnection, conversationId: string, joined: boolean): void {
    if (!joined && connection.room === conversationId) void this.rolesChanged(connection);
  }

  protected readonly frameLimits = { handle: MAX_PENDING_FRAMES, close: MAX_PENDING_FRAMES };

  protected overflow(): Record<string, unknown> {
    return { type: 'error', message: 'Too many requests in flight', code: 'rate_limited', retryable: true };
  }

  protected refuseAdmission(ws: WebSocket, refusal: AdmissionRefused): void {
    if (refusal.reason === 'too_many_connections') ws.close(CLOSE_CODES.tooManyConnections, 'Too many connections');
    else ws.close(CLOSE_CODES.authFailed, 'Invalid token');
  }

  protected async connectionFor(actor: UserActor, ws: WebSocket, raw: Duplex, request: IncomingMessage): Promise<MorevansConnection | undefined> {
    const { room } = targetOf(request);
    if (room !== undefined && !(await this.mayEnter(actor, room))) {
      ws.close(CLOSE_CODES.forbidden, 'Not a participant');
      return undefined;
    }
    return new MorevansConnection(actor, ws, raw, this.connectionLimits, room);
  }

  /** Staff reading a support room without taking part follow it too; the room's viewers count it. */
  protected override async registered(connection: MorevansConnection): Promise<void> {
    const { room } = connection;
    if (room === undefined) return;
    this.hub.add(connection, topics.conversation(room));
    this.viewers.set(viewerKey(connection.userId, room), (this.viewers.get(viewerKey(connection.userId, room)) ?? 0) + 1);
  }

  protected override async opened(connection: MorevansConnection): Promise<void> {
    const { room } = connection;
    if (room !== undefined) await this.services.conversations.announceViewer(connection.actor, room, true, connection.id).catch((err: unknown) => this.logger.warn({ err, room }, 'morevans: user_joined not announced'));
  }

  /** "Not a participant" for a room nobody has and for one that is not the user's alike. */
  private async mayEnter(actor: UserActor, room: string): Promise<boolean> {
    try {
      await this.services.access.read(actor, room);
      return true;
    } catch (error) {
      if (isAppError(error) && error.code === 'store_unavailable') throw error;
      return false;
    }
  }

  protected override async departed(connection: MorevansConnection): Promise<void> {
    const { room } = connection;
    await this.unregister(connection);
    if (room === undefined) return;
    const key = viewerKey(connection.userId, room);
    const left = (this.viewers.get(key) ?? 1) - 1;
    if (left > 0) this.viewers.set(key, left);
    else this.viewers.delete(key);
    // Someone removed from the room may no longer announce anything there: that is fine.
    await this.services.conversations.announceViewer(connection.actor, room, false, connection.id).catch(() => undefined);
  }

  /** Setting up the connection failed (the store is down): retry later. */
  protected refuse(ws: WebSocket, error: unknown): void {
    const unavailable = isAppError(error) && error.code === 'store_unavailable';
    if (!unavailable) this.logger.error({ err: error }, 'morevans ws connection setup failed');
    if (ws.readyState === ws.OPEN) ws.close(CLOSE_CODES.tryAgainLater, 'try again later');
  }

  protected async handleFrame(connection: MorevansConnection, data: RawData, isBinary: boolean): Promise<void> {
    const frame = this.decodeFrame(connection, data, isBinary);
    if (!frame) return;
    const { type } = frame;
    const known = typeof type === 'string' && Object.hasOwn(MOREVANS_ROOM_FRAMES, type) && (connection.room !== undefined || type === 'ping');
    if (!known) {
      // The original's words: Python prints a missing type as None.
      connection.sendJson({ type: 'error', message: MOREVANS_WS_ERRORS.unknownType(typeof type === 'string' ? type : type === undefined || type === null ? 'None' : JSON.stringify(type)) });
      return;
    }
    const frameType = type as MorevansRoomFrameType;
    const checked = validators[frameType](frame);
    if (!checked.ok) {
      connection.sendJson({ type: 'error', message: `Invalid ${frameType} data: ${checked.details.map((d) => `${d.path || 'frame'} ${d.message}`).join('; ')}`, code: 'validation_failed' });
      return;
    }
    try {
      await this.handle(connection, frameType, checked.value as Record<string, unknown>);
    } catch (error) {
      this.replyError(connection, frameType, error);
    }
  }

  private async handle(connection: MorevansConnection, type: MorevansRoomFrameType, frame: Record<string, unknown>): Promise<void> {
    const room = connection.room!;
    const { actor } = connection;
    switch (type) {
      case 'ping':
        connection.sendJson({ type: 'pong', timestamp: frame.timestamp ?? null, server_time: new Date().toISOString() });
        return;
      case 'chat_message': {
        const replyTo = frame.reply_to;
        // The room hears it (sender included) from the bus, like a message sent any other way.
        await this.services.messages.send(actor, room, { content: typeof frame.content === 'string' ? frame.content : '', kind: 'text', replyTo: replyTo == null ? null : normaliseId(replyTo as string | number) }, connection.id);
        return;
      }
      case 'typing':
        await this.services.typing.set(actor, room, frame.is_typing !== false);
        return;
      case 'mark_read': {
        const ids = Array.isArray(frame.message_ids) ? frame.message_ids.map(normaliseId) : undefined;
        await this.services.messages.markReadMessages(actor, room, ids, connection.id);
        return;
      }
    }
  }

  private replyError(connection: MorevansConnection, type: MorevansRoomFrameType, error: unknown): void {
    if (!isAppError(error)) {
      this.logger.error({ err: error, type }, 'morevans ws handler failed');
      connection.sendJson({ type: 'error', message: 'Internal server error', code: 'internal', retryable: true });
      return;
    }
    const retryAfter = retryAfterOf(error);
    connection.sendJson({ type: 'error', message: morevansText(error), code: error.code, ...(retryAfter !== undefined && { retry_after: retryAfter }), ...(error.retryable && { retryable: true }) });
  }
}

const viewerKey = (userId: string, room: string) => `${userId}\u0000${room}`;
