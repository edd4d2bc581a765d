import type { IncomingMessage } from 'node:http';

/** Subprotocol names that mark the other offered subprotocol as the token. */
const TOKEN_MARKERS = new Set(['bearer', 'access_token', 'jwt']);

/**
 * Where a browser can put a token on a WebSocket upgrade: `?token=`, an `Authorization: Bearer`
 * header (non-browser clients), or `Sec-WebSocket-Protocol: bearer, <token>`.
 */
export function tokenFromRequest(request: IncomingMessage): { token: string | undefined; protocol: string | undefined } {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const query = url.searchParams.get('token');
  if (query) return { token: query, protocol: undefined };
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^bearer /i.test(header)) return { token: header.slice(7).trim(), protocol: undefined };
  const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const marker = offered.find((p) => TOKEN_MARKERS.has(p.toLowerCase()));
  if (marker) return { token: offered.find((p) => p !== marker), protocol: marker };
  if (offered.length === 1) return { token: offered[0], protocol: offered[0] };
  return { token: undefined, protocol: undefined };
}
