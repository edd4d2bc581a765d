import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { topics, type DomainEvent } from '../../bus/domain-event.js';
import type { UserActor } from '../../core/actor.js';
import { AppError, isAppError, retryAfterOf } from '../../core/errors.js';
import { compileValidator } from '../../core/validation.js';
import type { Metrics } from '../../ops/metrics.js';
import { CLOSE_CODES } from '@switchboard/protocol';
import type { AdmissionRefused, EndReason } from '../../realtime/connection-lifecycle.js';
import { WsGatewayBase } from '../../realtime/ws/ws-gateway-base.js';
import type { RealtimeGateway } from '../../profiles/profile.js';
import type { EdgeServices } from '../../edge-services.js';
import type { UpgradeRouter } from '../upgrade-router.js';
import { INBOUND_FRAMES, RoomFrame, type InboundFrameType } from '@switchboard/protocol';
import { ERROR_TEXTS, HANDLERS, type RoomControl } from './native-handlers.js';
import { renderToConnections, type MembershipSink } from './native-renderer.js';
import { WsConnection } from '../../realtime/ws/ws-connection.js';

export const NATIVE_WS_PATHS = ['/v1/ws', '/ws/connect', '/api/websocket/connect'] as const;

/** Frames a connection may have waiting for processing before more are refused. */
const MAX_PENDING_FRAMES = 256;
/** Frames (handled or refused) a connection may have unanswered before it is closed as a flood. */
const MAX_UNANSWERED_FRAMES = MAX_PENDING_FRAMES * 8;

/** The answer to a frame past the in-flight limit, echoing its request_id when it has one. */
function refusal(data: RawData, isBinary: boolean): Record<string, unknown> {
  let requestId: unknown;
  try {
    if (!isBinary) requestId = (JSON.parse(data.toString()) as { request_id?: unknown } | null)?.request_id;
  } catch {
    // Not JSON: refused all the same, without an id to echo.
  }
  const echo = typeof requestId === 'string' || typeof requestId === 'number' ? { request_id: requestId } : {};
  return { type: 'error', message: 'Too many requests in flight', code: 'rate_limited', ...echo };
}

const validators = Object.fromEntries(Object.entries(INBOUND_FRAMES).map(([type, s]) => [type, compileValidator(s.data)])) as Record<InboundFrameType, ReturnType<typeof compileValidator>>;
const validateRoomFrame = compileValidator(RoomFrame);

/**
 * The native real-time protocol: GuzoSync's `{type, data}` events, verbatim, plus extensions.
 * Frames of one connection are handled strictly in order, because GuzoSync clients match
 * replies (which carry no type) to requests by order. The connection's life (admission, caps,
 * expiry, keepalive, membership and role changes) is the shared lifecycle's.
 */
export class NativeWsGateway extends WsGatewayBase<WsConnection> implements RoomControl, RealtimeGateway {
  private readonly presenceSink: MembershipSink = {
    watchPresence: (c, userIds) => this.watchPresence(c, userIds),
    refreshPresence: (c) => void this.refreshPresence(c),
  };

  constructor(services: EdgeServices, router: UpgradeRouter, metrics: Metrics) {
    super(services, metrics, 'native');
    router.add(NATIVE_WS_PATHS, (request, socket, head) => this.upgrade(request, socket, head));
  }

  protected render(event: DomainEvent, _topic: string, subscribers: ReadonlySet<WsConnection>): void {
    renderToConnections(event, subscribers, this.presenceSink);
  }

  protected end(connection: WsConnection, reason: EndReason): void {
    if (reason === 'session_ended' || reason === 'token_expired') {
      connection.sendJson({ type: 'auth_error', message: reason === 'session_ended' ? 'Session ended' : 'Token expired' });
      connection.flushAndClose(CLOSE_CODES.authFailed, reason === 'session_ended' ? 'Session ended' : 'Token expired');
      return;
    }
    this.endPlainly(connection, reason);
  }

  /**
   * New roles: queues need `support.monitor` still, and rooms the connection joined without
   * being a participant (a monitor's) need read access still.
   */
  protected async rolesChanged(connection: WsConnection): Promise<void> {
    const { supportRooms, access } = this.services;
    for (const queue of [...connection.queues]) if (!supportRooms.mayMonitor(connection.actor, queue)) this.unwatchQueue(connection, queue);
    for (const id of [...connection.rooms]) {
      if (connection.conversations.has(id)) continue;
      const readable = await access.read(connection.actor, id).then(() => true, () => false);
      if (readable) continue;
      this.leaveConversationRoom(connection, id);
      connection.sendJson({ type: 'conversation_removed', conversation_id: id, by: null, timestamp: new Date().toISOString() });
    }
  }

  protected membershipChanged(connection: WsConnection, conversationId: string, joined: boolean, by: string | null): void {
    const timestamp = new Date().toISOString();
    if (joined) {
      void this.watchParticipants(connection, conversationId);
      connection.sendJson({ type: 'conversation_added', conversation_id: conversationId, by, timestamp });
    } else {
      void this.refreshPresence(connection);
      connection.sendJson({ type: 'conversation_removed', conversation_id: conversationId, by, timestamp });
    }
  }

  protected readonly frameLimits = { handle: MAX_PENDING_FRAMES, close: MAX_UNANSWERED_FRAMES };

  protected overflow(): Record<string, unknown> {
    return { type: 'error', message: 'Too many requests in flight: reconnect and sync', code: 'rate_limited', retryable: true };
  }

  /** Each refused frame echoes its `request_id`, so clients can match it. */
  protected override refuseFrame(data: RawData, isBinary: boolean): Record<string, unknown> {
    return refusal(data, isBinary);
  }

  protected refuseAdmission(ws: WebSocket, refusal: AdmissionRefused): void {
    if (refusal.reason === 'too_many_connections') {
      ws.send(JSON.stringify({ type: 'error', message: 'Too many connections', code: 'rate_limited' }));
      ws.close(CLOSE_CODES.tooManyConnections, 'Too many connections');
    } else {
      ws.send(JSON.stringify({ type: 'auth_error', message: 'Invalid token' }));
      ws.close(CLOSE_CODES.authFailed, 'Invalid token');
    }
  }

  protected async connectionFor(actor: UserActor, ws: WebSocket, raw: Duplex): Promise<WsConnection> {
    const conn = new WsConnection(actor, ws, raw, this.connectionLimits);
    // Queued before the connection subscribes to anything, so it is always the first frame.
    conn.sendJson({ type: 'authenticated', user_id: actor.user.id, connection_id: conn.id, message: 'Authentication successful' });
    return conn;
  }

  protected override async registered(connection: WsConnection): Promise<void> {
    // Contacts are the people of the user's current conversations, which the connection has
    // just followed (all of them, up to the first thousand): a user in none has none.
    if (connection.conversations.size === 0) return;
    this.watchPresence(connection, await this.services.presence.contactsOf(connection.actor.user.id));
  }

  /** Setting up the connection failed (the store is down): tell the client to retry later. */
  protected refuse(ws: WebSocket, error: unknown): void {
    const unavailable = isAppError(error) && error.code === 'store_unavailable';
    if (!unavailable) this.logger.error({ err: error }, 'native ws connection setup failed');
    if (ws.readyState !== ws.OPEN) return;
    ws.send(JSON.stringify({ type: 'error', message: 'Service temporarily unavailable, retry shortly', code: unavailable ? 'store_unavailable' : 'internal', retryable: true }));
    ws.close(CLOSE_CODES.tryAgainLater, 'try again later');
  }

  protected async handleFrame(connection: WsConnection, data: RawData, isBinary: boolean): Promise<void> {
    const frame = this.decodeFrame(connection, data, isBinary);
    if (!frame) return;
    const { type, data: payload, request_id: requestId } = frame as { type?: unknown; data?: unknown; request_id?: unknown };
    const echo = typeof requestId === 'string' || typeof requestId === 'number' ? { request_id: requestId } : {};
    if (typeof type !== 'string' || type === '') {
      connection.sendJson({ type: 'error', message: 'Message type required', ...echo });
      return;
    }
    try {
      if (type === 'ping') return this.pong(connection, frame as { timestamp?: unknown }, echo);
      if (type === 'join_room' || type === 'leave_room') return await this.roomFrame(connection, type, frame, echo);
      if (!Object.hasOwn(HANDLERS, type)) {
        connection.sendJson({ success: false, error: `Unknown message type: ${type}`, code: 'bad_request', ...echo });
        return;
      }
      const eventType = type as InboundFrameType;
      const validation = validators[eventType](payload ?? {});
      if (!validation.ok) {
        const text = INBOUND_FRAMES[eventType].invalidText ?? `Invalid data: ${validation.details.map((d) => `${d.path || 'data'} ${d.message}`).join('; ')}`;
        connection.sendJson({ success: false, error: text, code: 'validation_failed', details: validation.details, event: eventType, ...echo });
        return;
      }
      const handler = HANDLERS[eventType] as (ctx: Parameters<(typeof HANDLERS)['sync']>[0], data: unknown) => Promise<Record<string, unknown>>;
      const reply = await handler({ connection, services: this.services, rooms: this }, validation.value);
      connection.sendJson({ success: true, ...reply, event: eventType, ...echo });
    } catch (error) {
      this.replyError(connection, type as InboundFrameType, error, echo);
    }
  }

  private replyError(connection: WsConnection, type: InboundFrameType, error: unknown, echo: object): void {
    if (!isAppError(error)) {
      this.logger.error({ err: error, type }, 'native ws handler failed');
      connection.sendJson({ success: false, error: 'Internal server error', code: 'internal', retryable: true, event: type, ...echo });
      return;
    }
    const text = ERROR_TEXTS[type]?.[error.code] ?? error.message;
    const seconds = retryAfterOf(error);
    const retryAfter = seconds === undefined ? {} : { retry_after: seconds };
    connection.sendJson({ success: false, error: text, code: error.code, ...retryAfter, ...(error.retryable && { retryable: true }), event: type, ...echo });
  }

  private pong(connection: WsConnection, frame: { timestamp?: unknown }, echo: object): void {
    connection.sendJson({ type: 'pong', timestamp: frame.timestamp ?? null, server_time: new Date().toISOString(), ...echo });
  }

  private async roomFrame(connection: WsConnection, type: 'join_room' | 'leave_room', frame: object, echo: object): Promise<void> {
    const checked = validateRoomFrame(frame);
    if (!checked.ok) {
      connection.sendJson({ type: 'error', message: 'Room ID required', code: 'validation_failed', ...echo });
      return;
    }
    const roomId = checked.value.room_id;
    const [kind, id = ''] = roomId.split(/:(.*)/s);
    try {
      if (kind === 'conversation' && id !== '') {
        if (type === 'join_room') {
          const { conversation } = await this.services.access.read(connection.actor, id);
          this.joinConversationRoom(connection, id, conversation.lastSeq);
        } else this.leaveConversationRoom(connection, id);
      } else if (kind === 'support' && id !== '') {
        if (!this.services.support.queues.has(id)) throw new AppError('not_found');
        this.services.supportRooms.requireMonitor(connection.actor, id);
        if (type === 'join_room') this.watchQueue(connection, id);
        else this.unwatchQueue(connection, id);
      } else {
        throw new AppError('not_found');
      }
      connection.sendJson({ type: type === 'join_room' ? 'room_joined' : 'room_left', room_id: roomId, ...echo });
    } catch (error) {
      const code = isAppError(error) ? error.code : 'internal';
      connection.sendJson({ type: 'error', message: code === 'not_found' ? `Unknown room: ${roomId}` : 'Access denied to room', code, room_id: roomId, ...echo });
    }
  }

  joinConversationRoom(connection: WsConnection, conversationId: string, lastSeq?: number): void {
    connection.joinRoom(conversationId);
    this.hub.add(connection, topics.conversation(conversationId), lastSeq);
  }

  leaveConversationRoom(connection: WsConnection, conversationId: string): void {
    connection.leaveRoom(conversationId);
    if (!connection.conversations.has(conversationId)) this.hub.remove(connection, topics.conversation(conversationId));
  }

  watchQueue(connection: WsConnection, queue: string): void {
    connection.watchQueue(queue);
    this.hub.add(connection, topics.queue(queue));
  }

  unwatchQueue(connection: WsConnection, queue: string): void {
    connection.unwatchQueue(queue);
    this.hub.remove(connection, topics.queue(queue));
  }

  private watchPresence(connection: WsConnection, userIds: readonly string[]): void {
    if (!connection.isOpen) return;
    for (const id of userIds) {
      if (id === connection.userId) continue;
      connection.watchUser(id);
      this.hub.add(connection, topics.presence(id));
    }
  }

  /** Drops presence of users the connection no longer shares any conversation with. */
  private async refreshPresence(connection: WsConnection): Promise<void> {
    const contacts = new Set(await this.services.presence.contactsOf(connection.userId).catch(() => [...connection.watching]));
    for (const id of [...connection.watching]) {
      if (contacts.has(id)) continue;
      connection.unwatchUser(id);
      this.hub.remove(connection, topics.presence(id));
    }
  }

  private async watchParticipants(connection: WsConnection, conversationId: string): Promise<void> {
    const participants = await this.services.directory.conversations.participants(conversationId).catch(() => []);
    this.watchPresence(connection, participants.map((p) => p.userId));
  }
}
