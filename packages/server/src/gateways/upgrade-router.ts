import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The HTTP server's one `upgrade` listener: routes each WebSocket upgrade by path to the gateway
 * that owns it, and refuses the rest, so no socket is left hanging when no gateway claims it.
 */
export class UpgradeRouter {
  private readonly routes: { readonly matches: (path: string) => boolean; readonly handler: UpgradeHandler }[] = [];

  constructor(server: Server) {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.route(request, socket, head));
  }

  /** Claims exact paths, or every path a predicate accepts. */
  add(paths: readonly string[] | ((path: string) => boolean), handler: UpgradeHandler): void {
    const matches = typeof paths === 'function' ? paths : (path: string) => paths.includes(path);
    this.routes.push({ matches, handler });
  }

  private route(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '/').split('?')[0]!.replace(/(.)\/+$/, '$1');
    const route = this.routes.find((r) => r.matches(path));
    if (route) {
      route.handler(request, socket, head);
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  }
}
