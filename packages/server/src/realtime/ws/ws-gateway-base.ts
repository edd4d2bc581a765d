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
import type { WsConnection, WsConnectionLimits } from './ws-connection.js';

/** Hard cap: larger frames close the connection (1009); `MAX_FRAME_BYTES` is the soft limit each gateway answers. */
export const HARD_MAX_PAYLOAD = 1_048_576;

const SESSION = Symbol('session');

/**
 * One upgraded (or upgrading) socket's state, kept on its TCP socket and its WebSocket, where the
 * listeners every socket shares find it: per connection one small object, instead of a closure
 * per listener and a context holding the upgrade request for the socket's whole life.
 */
class Session<C> {
  arrival: Arrival | undefined;
  ws: WebSocket | undefined;
  /** Frames that arrived while the connection was set up; handled after it, in order. */
  early: [RawData, boolean][] | undefined = [];
  /** Set once registered: the close undoes the registration from then on. */
  connection: C | undefined;
  /** The peer left: nothing is kept for it. */
  gone = false;
  /** The frames being handled, one after the other. */
  chain: Promise<unknown> | undefined;
  inFlight = 0;

  constructor(readonly raw: Duplex) {}
}

type Carrier<C> = { [SESSION]?: Session<C> };
const sessionOf = <C>(carrier: object): Session<C> | undefined => (carrier as Carrier<C>)[SESSION];

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
  /**
   * No client tracking: the lifecycle keeps the open connections, and `ws`'s own set would cost
   * every connection a set entry and a close listener of its own.
   */
  protected readonly wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: HARD_MAX_PAYLOAD, perMessageDeflate: false, handleProtocols: (_protocols, request) => tokenFromRequest(request).protocol ?? false });

  /** Every connection's buffer limit and slow-consumer hook: one object for all of them. */
  protected readonly connectionLimits: WsConnectionLimits;
  // The listeners every socket of the gateway shares (`this` is the socket; see `Session`).
  private readonly onRawClose: (this: Duplex) => void;
  private readonly onUpgraded: (ws: WebSocket, request: IncomingMessage) => void;
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onClose: (this: WebSocket) => void;

  protected constructor(services: EdgeServices, metrics: Metrics, gateway: string) {
    super(services, metrics, gateway, { keepalive: true });
    this.connectionLimits = { maxBufferedBytes: services.config.maxBufferedBytes, onSlowConsumer: (c) => this.slowConsumer(c as C) };
    this.onRawClose = function (this: Duplex) {
      sessionOf(this)?.arrival?.left();
    };
    this.onUpgraded = (ws, request) => {
      const session = sessionOf<C>(request.socket)!;
      session.ws = ws;
      (ws as Carrier<C>)[SESSION] = session;
      ws.on('message', this.onMessage);
      ws.on('error', terminate);
      // Registered before any await, so a peer that leaves during authentication is never kept.
      ws.on('close', this.onClose);
      ws.on('pong', markAlive);
      this.accept(session, request).catch((error: unknown) => this.refuse(ws, error));
    };
    const gatewayBase = this;
    this.onMessage = function (this: WebSocket, data: RawData, isBinary: boolean) {
      const session = sessionOf<C>(this)!;
      if (session.early) session.early.push([data, isBinary]);
      else gatewayBase.enqueue(session, data, isBinary);
    };
    this.onClose = function (this: WebSocket) {
      const session = sessionOf<C>(this)!;
      session.gone = true;
      if (session.connection) void gatewayBase.departed(session.connection);
    };
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
  private async accept(session: Session<C>, request: IncomingMessage): Promise<void> {
    const ws = session.ws!;
    let actor: UserActor;
    try {
      actor = await this.admit(tokenFromRequest(request).token);
    } catch (error) {
      if (!(error instanceof AdmissionRefused)) throw error;
      if (error.reason === 'unavailable') throw error.underlying;
      this.refuseAdmission(ws, error);
      return;
    }
    if (session.gone) return;
    const conn = await this.connectionFor(actor, ws, session.raw, request);
    if (!conn) return;
    if (session.gone) return;
    session.arrival!.admitted();
    try {
      await this.register(conn);
      await this.registered(conn);
    } catch (error) {
      await this.departed(conn);
      throw error;
    }
    session.connection = conn;
    if (session.gone) return void (await this.departed(conn));
    await this.opened(conn);
    const early = session.early!;
    session.early = undefined;
    for (const [data, isBinary] of early) this.enqueue(session, data, isBinary);
  }

  /** Queues a frame of a set-up connection behind the ones before it, within its limits. */
  private enqueue(session: Session<C>, data: RawData, isBinary: boolean): void {
    const conn = session.connection!;
    if (session.inFlight >= this.frameLimits.close) {
      conn.sendJson(this.overflow());
      conn.flushAndClose(CLOSE_CODES.flooding, 'too many requests in flight');
      return;
    }
    session.inFlight++;
    // Past the limit a frame is not handled, but its refusal still waits its turn: clients
    // match untyped replies to requests by order.
    const work = session.inFlight > this.frameLimits.handle ? () => conn.sendJson(this.refuseFrame(data, isBinary)) : () => this.handleFrame(conn, data, isBinary);
    session.chain = (session.chain ?? Promise.resolve()).then(work).finally(() => session.inFlight--);
  }

  /**
   * Refused before the handshake (403: an origin the allow-list does not name; 429: the address
   * holds too many connections), else upgraded and on the lifecycle's authentication deadline.
   */
  protected upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const session = new Session<C>(socket);
    // Past the deadline the server is too slow to authenticate (a stalled store): retry later.
    const arrival = this.arrive(request, () => expire(session));
    if (typeof arrival === 'string') {
      refuseUpgrade(socket, arrival === 'origin_not_allowed' ? 403 : 429);
      return;
    }
    session.arrival = arrival;
    (socket as Carrier<C>)[SESSION] = session;
    socket.on('close', this.onRawClose);
    this.wss.handleUpgrade(request, socket, head, this.onUpgraded);
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

function terminate(this: WebSocket): void {
  this.terminate();
}

/** The peer answered a keepalive ping. */
function markAlive(this: WebSocket): void {
  const connection = sessionOf<WsConnection>(this)?.connection;
  if (connection) connection.alive = true;
}

/** The authentication deadline passed: close the socket, upgraded or not. */
function expire(session: Session<unknown>): void {
  const { ws } = session;
  if (!ws) return void session.raw.destroy();
  ws.close(CLOSE_CODES.tryAgainLater, 'authentication timed out');
  // A peer that never answers the close handshake is not waited for.
  setTimeout(() => ws.terminate(), 1000).unref();
}
