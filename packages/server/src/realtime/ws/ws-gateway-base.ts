import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CLOSE_CODES } from '@switchboard/protocol';
import type { EdgeServices } from '../../edge-services.js';
import { refuseUpgrade } from '../../gateways/upgrade-router.js';
import type { Metrics } from '../../ops/metrics.js';
import { ConnectionLifecycle, type Arrival, type EndReason } from '../connection-lifecycle.js';
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

  /** The socket is upgraded and on the authentication deadline: authenticate it, then serve it. */
  protected abstract accept(ws: WebSocket, request: IncomingMessage, raw: Duplex, arrival: Arrival): Promise<void>;
  /** Setting up the connection failed after the upgrade (the store is down, a bug). */
  protected abstract refuse(ws: WebSocket, error: unknown): void;

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
