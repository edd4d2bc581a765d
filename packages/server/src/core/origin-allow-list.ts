import type { IncomingHttpHeaders } from 'node:http';

/**
 * The one list of browser origins (`CORS_ORIGINS`) that REST and every real-time gateway obey.
 *
 * - CORS (REST, Socket.IO's polling): a listed origin gets `Access-Control-Allow-Origin`; any
 *   other gets no CORS header, so the browser keeps the answer from the page. An empty list
 *   sends none at all: same-origin only (the server's own web app at `/` needs none).
 * - Handshakes (WebSocket upgrades, Engine.IO handshakes), which browsers do not hold to CORS:
 *   with a list, an `Origin` that is neither listed nor this server's own is refused. A client
 *   without `Origin` is not a browser page and passes. Without a list they are not checked:
 *   real-time clients authenticate with a token they present, never with a cookie the browser
 *   adds by itself, so a foreign page gains nothing from opening one.
 * @example const origins = new OriginAllowList(config.corsOrigins); origins.allowsHandshake(request.headers);
 */
export class OriginAllowList {
  private readonly origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.origins = new Set(origins);
  }

  /** `*` is listed: every origin may call. */
  get any(): boolean {
    return this.origins.has('*');
  }

  /** Whether any origin is listed (else: same-origin only, handshakes unchecked). */
  get configured(): boolean {
    return this.origins.size > 0;
  }

  /** The `origin` option of @fastify/cors and of Socket.IO's `cors`: no CORS at all, any origin, or these. */
  corsOrigin(): false | '*' | string[] {
    if (!this.configured) return false;
    return this.any ? '*' : [...this.origins];
  }

  /** Whether a real-time handshake carrying these headers may proceed (see the class comment). */
  allowsHandshake(headers: IncomingHttpHeaders): boolean {
    const origin = headers.origin;
    if (origin === undefined || !this.configured || this.any || this.origins.has(origin)) return true;
    return sameOrigin(origin, headers.host);
  }
}

/** The page was served by this server (its own web app): its origin names the host it asked for. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    // `null` (a sandboxed page, a file) or garbage: not this server.
    return false;
  }
}
