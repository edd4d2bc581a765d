import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { FixedDeadlines } from '../core/deadlines.js';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeRouterOptions {
  /**
   * How long a claimed upgrade may go without a byte of answer (the 101, or a refusal) before
   * the router answers 503 and closes it itself, in ms. @default 10000
   */
  readonly answerWithinMs?: number;
}

const STATUS_TEXTS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};
/** How long a refused socket may take to flush its answer before it is destroyed anyway. */
const FLUSH_GRACE_MS = 1000;

/**
 * Answers an upgrade with an HTTP status and closes the socket. Closing means destroying: an
 * HTTP server's sockets allow half-open connections, so `end()` alone would leave the descriptor
 * open until the peer closes its side, which an attacker never does.
 */
export function refuseUpgrade(socket: Duplex, status: number): void {
  socket.on('error', () => {});
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), FLUSH_GRACE_MS);
  timer.unref();
  socket.once('finish', () => {
    clearTimeout(timer);
    socket.destroy();
  });
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXTS[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The HTTP server's one `upgrade` listener: routes each WebSocket upgrade by path to the gateway
 * that claims it, and answers every other one 404 and closes it, so no socket is left hanging.
 * A claimed upgrade that its gateway has not answered within `answerWithinMs` is answered 503 and
 * closed: a descriptor is never held by a request nobody serves.
 */
export class UpgradeRouter {
  private readonly routes: { readonly matches: (path: string) => boolean; readonly handler: UpgradeHandler }[] = [];
  /** Claimed upgrades not answered yet, on one timer for all (a storm claims thousands at once). */
  private readonly unanswered: FixedDeadlines<Duplex>;
  /** A claimed socket's `close` listener, one function for all of them (`this` is the socket). */
  private readonly forget: (this: Duplex) => void;

  constructor(server: Server, options: UpgradeRouterOptions = {}) {
    // Answers 503 and closes the socket if its gateway has written nothing in time.
    this.unanswered = new FixedDeadlines(options.answerWithinMs ?? 10_000, (socket) => {
      if (!socket.destroyed && bytesWritten(socket) === 0) refuseUpgrade(socket, 503);
    });
    const unanswered = this.unanswered;
    this.forget = function (this: Duplex) {
      unanswered.delete(this);
    };
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.route(request, socket, head));
  }

  /**
   * Claims exact paths (a trailing slash is ignored), or every path a predicate accepts. The
   * predicate sees the path as sent (without the query), so it can match exactly what a library
   * listening on the server itself serves (Engine.IO serves `/socket.io/…`, not `/socket.io`).
   */
  add(paths: readonly string[] | ((path: string) => boolean), handler: UpgradeHandler): void {
    const matches = typeof paths === 'function' ? paths : (path: string) => paths.includes(path.replace(/(.)\/+$/, '$1'));
    this.routes.push({ matches, handler });
  }

  private route(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const route = this.routes.find((r) => r.matches(path));
    if (!route) {
      refuseUpgrade(socket, 404);
      return;
    }
    this.unanswered.add(socket);
    socket.on('close', this.forget);
    route.handler(request, socket, head);
  }
}

/** Bytes written to the peer so far (a `net.Socket` counts them; other duplexes count as answered). */
function bytesWritten(socket: Duplex): number {
  const written = (socket as Duplex & { bytesWritten?: number }).bytesWritten;
  return typeof written === 'number' ? written : 1;
}
