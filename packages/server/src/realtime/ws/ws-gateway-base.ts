import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CLOSE_CODES } from '@switchboard/protocol';
import type { EdgeServices } from '../../edge-services.js';
import { refuseUpgrade } from '../../gateways/upgrade-router.js';
import type { Metrics } from '../../ops/metrics.js';
import type { UserActor } from '../../core/actor.js';
import { AdmissionRefused, ConnectionLifecycle, type Arrival, type EndReason } from '../connection-lifecycle.js';
import { tokenFromRequest } from './token-from-request.js';
import type { WsConnection } from './ws-connection.js';

/** Hard cap: larger frames close the connection (1009); `MAX_FRAME_BYTES` is the soft limit each gateway answers. */
export const HARD_MAX_PAYLOAD = 1_048_576;

/** The size of a received frame in bytes, whatever shape `ws` delivered it in. */
export function frameSize(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
}

/**
 * The base of every plain-WebSocket gateway (the native protocol, MoreVans' per-room and
 * notifications sockets): the `ws` server, the upgrade (origin and per-address refusals before
 * the handshake, the authentication deadline after it), keepalive pings, and the closes every
 * such protocol shares. A subclass accepts the upgraded socket (`accept`) and renders events.
 */
export abstract class WsGatewayBase<C extends WsConnection> extends ConnectionLifecycle<C> {
  protected readonly wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD, perMessageDeflate: false, handleProtocols: (_protocols, request) => tokenFromRequest(request).protocol ?? false });

  protected constructor(services: EdgeServices, metrics: Metrics, gateway: string) {
    super(services, metrics, gateway, { keepalive: true });
  }

  /** Admission failed (bad token, too many connections): answer and close in the protocol's words. */
  protected abstract refuseAdmission(ws: WebSocket, refusal: AdmissionRefused): void;
  /**
   * The authenticated socket becomes a connection, or is closed here (`undefined`) when the
   * protocol has more to check first (MoreVans: may this user enter the room).
   */
  protected abstract connectionFor(actor: UserActor, ws: WebSocket, raw: Duplex, request: IncomingMessage): Promise<C | undefined>;
  /** Handles one received frame; frames of one connection are handled one at a time, in order. */
  protected abstract handleFrame(connection: C, data: RawData, isBinary: boolean): Promise<void>;
  /** Setting up the connection failed after the upgrade (the store is down, a bug). */
  protected abstract refuse(ws: WebSocket, error: unknown): void;

  /** Registered: follow what else the protocol needs, before any frame is handled. */
  protected async registered(_connection: C): Promise<void> {}
  /** Set up and still open: tell others it arrived (MoreVans' `user_joined`). */
  protected async opened(_connection: C): Promise<void> {}
  /** The socket closed: undo what `registered` did (always after it, never twice). */
  protected async departed(connection: C): Promise<void> {
    await this.unregister(connection);
  }

  /**
   * How many frames one connection may have waiting: past `close` it is closed (after
   * `overflow`'s frame), past `handle` each frame is answered with `refuseFrame` in its turn
   * instead of being handled.
   */
  protected abstract readonly frameLimits: { readonly handle: number; readonly close: number };
  /** The frame sent before a connection flooding past `frameLimits.close` is closed. */
  protected abstract overflow(): Record<string, unknown>;
  /** The answer to a frame past `frameLimits.handle` (it still waits its turn). */
  protected refuseFrame(_data: RawData, _isBinary: boolean): Record<string, unknown> {
    return this.overflow();
  }

  /**
   * The one way an upgraded socket is served: frames that arrive during authentication are kept,
   * a peer that leaves at any point is never kept, and frames are then handled in order within
   * the connection's limits.
   */
  private async accept(ws: WebSocket, request: IncomingMessage, raw: Duplex, arrival: Arrival): Promise<void> {
    const pending: [RawData, boolean][] = [];
    const early = (data: RawData, isBinary: boolean) => pending.push([data, isBinary]);
    ws.on('message', early);
    ws.on('error', () => ws.terminate());
    let connection: C | undefined;
    let gone = false;
    // Registered before any await, so a peer that leaves during authentication is never kept.
    ws.on('close', () => {
      gone = true;
      if (connection) void this.departed(connection);
    });
    let actor: UserActor;
    try {
      actor = await this.admit(tokenFromRequest(request).token);
    } catch (error) {
      if (!(error instanceof AdmissionRefused)) throw error;
      if (error.reason === 'unavailable') throw error.underlying;
      this.refuseAdmission(ws, error);
      return;
    }
    if (gone) return;
    const conn = await this.connectionFor(actor, ws, raw, request);
    if (!conn) return;
    if (gone) return;
    arrival.admitted();
    try {
      await this.register(conn);
      await this.registered(conn);
    } catch (error) {
      await this.departed(conn);
      throw error;
    }
    connection = conn;
    if (gone) return void (await this.departed(conn));
    await this.opened(conn);
    ws.off('message', early);
    let chain = Promise.resolve();
    let inFlight = 0;
    const enqueue = (data: RawData, isBinary: boolean) => {
      if (inFlight >= this.frameLimits.close) {
        conn.sendJson(this.overflow());
        conn.flushAndClose(CLOSE_CODES.flooding, 'too many requests in flight');
        return;
      }
      inFlight++;
      // Past the limit a frame is not handled, but its refusal still waits its turn: clients
      // match untyped replies to requests by order.
      const work = inFlight > this.frameLimits.handle ? () => conn.sendJson(this.refuseFrame(data, isBinary)) : () => this.handleFrame(conn, data, isBinary);
      chain = chain.then(work).finally(() => inFlight--);
    };
    ws.on('message', enqueue);
    ws.on('pong', () => (conn.alive = true));
    for (const [data, isBinary] of pending) enqueue(data, isBinary);
  }

  /**
   * Refused before the handshake (403: an origin the allow-list does not name; 429: the address
   * holds too many connections), else upgraded and on the lifecycle's authentication deadline.
   */
  protected upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    let upgraded: WebSocket | undefined;
    // Past the deadline the server is too slow to authenticate (a stalled store): retry later.
    const expire = () => {
      if (!upgraded) return socket.destroy();
      const ws = upgraded;
      ws.close(CLOSE_CODES.tryAgainLater, 'authentication timed out');
      // A peer that never answers the close handshake is not waited for.
      setTimeout(() => ws.terminate(), 1000).unref();
    };
    const arrival = this.arrive(request, expire);
    if (typeof arrival === 'string') {
      refuseUpgrade(socket, arrival === 'origin_not_allowed' ? 403 : 429);
      return;
    }
    socket.once('close', () => arrival.left());
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      upgraded = ws;
      this.accept(ws, request, socket, arrival).catch((error: unknown) => this.refuse(ws, error));
    });
  }

  /**
   * A received frame as a JSON object, or `undefined` after answering why not: too large
   * (`MAX_FRAME_BYTES`), binary, not JSON, or JSON that is not an object. Every plain-WebSocket
   * protocol here answers these alike.
   */
  protected decodeFrame(connection: C, data: RawData, isBinary: boolean): Record<string, unknown> | undefined {
    const { maxFrameBytes } = this.services.config;
    if (frameSize(data) > maxFrameBytes) {
      connection.sendJson({ type: 'error', message: 'Frame too large', code: 'payload_too_large', max_bytes: maxFrameBytes });
      return undefined;
    }
    let frame: unknown;
    try {
      frame = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      frame = undefined;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      connection.sendJson({ type: 'error', message: 'Invalid JSON format' });
      return undefined;
    }
    return frame as Record<string, unknown>;
  }

  /** The closes every plain-WebSocket protocol shares; authentication ends are each protocol's. */
  protected endPlainly(connection: C, reason: Exclude<EndReason, 'session_ended' | 'token_expired'>): void {
    switch (reason) {
      case 'slow_consumer':
        connection.close(CLOSE_CODES.slowConsumer, 'slow consumer: reconnect and sync', true);
        return;
      case 'keepalive_timeout':
        connection.close(CLOSE_CODES.goingAway, 'keepalive timeout', true);
        return;
      case 'shutdown':
        connection.close(CLOSE_CODES.goingAway, 'server shutting down');
        return;
    }
  }

  protected ping(connection: C): void {
    connection.ping();
  }

  /** Closes every connection with 1001 so clients reconnect elsewhere and sync. */
  async close(): Promise<void> {
    this.endAll();
    this.wss.close();
  }
}
