/**
 * The SDK for Node: `createClient` with the `ws` package as its WebSocket, and an outbox kept in
 * a file. Node 20 has no global WebSocket; `ws` is an optional peer dependency.
 * @packageDocumentation
 */
import WebSocket from 'ws';
import { Client, type ClientOptions } from './client.js';
import type { WebSocketConstructor } from './connection.js';

export * from './index.js';
export { fileOutbox } from './file-outbox.js';

/** Creates a client that uses `ws` unless another WebSocket is given. */
export function createClient(options: ClientOptions): Client {
  return new Client({ WebSocket: WebSocket as unknown as WebSocketConstructor, environment: null, ...options });
}
