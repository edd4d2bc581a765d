import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

export interface RawOutcome {
  /** The status line the server answered, if any (`HTTP/1.1 404 Not Found`). */
  readonly status: string | undefined;
  /** Whether the server ended the connection (sent its FIN) within the wait. */
  readonly ended: boolean;
  /** The client's socket, still open on its side: destroy it when done. */
  readonly socket: Socket;
}

/**
 * Sends raw bytes on a fresh TCP connection that never closes its own side (`allowHalfOpen`), as
 * an attacker's client would, and reports what the server answered and whether it ended the
 * connection within `waitMs`. The client's side stays open until the caller destroys it: a
 * server that only half-closes keeps its descriptor, which the server's own connection count
 * (not this client) must show.
 */
export function rawExchange(port: number, request: string, waitMs: number): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let received = '';
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      resolve({ status: /^HTTP\/1\.1 \d{3}[^\r\n]*/.exec(received)?.[0], ended, socket });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.once('end', () => finish(true));
    socket.once('error', () => finish(true));
    socket.once('connect', () => request !== '' && socket.write(request));
  });
}

/** A WebSocket upgrade request as a bare client sends it: no Sec-WebSocket-Key unless given. */
export function upgradeRequest(path: string, headers: Record<string, string> = {}): string {
  const lines = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: Upgrade', 'Upgrade: websocket', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Open descriptors of this process (Linux only; undefined elsewhere). */
export function openDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
