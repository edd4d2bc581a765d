/**
 * @switchboard/sdk: the Switchboard client for browsers and Node.
 *
 * ```ts
 * const client = createClient({ url: 'https://chat.example.com', token: () => getToken() });
 * await client.connect();
 * const conversation = client.conversation(id);
 * conversation.on('message', (m) => render(m));
 * await conversation.send({ content: 'On my way' });
 * ```
 * @packageDocumentation
 */
export { Client, createClient, type ClientOptions, type ConversationListing } from './client.js';
export { Conversation, type ConversationOptions, type ReactionSummary } from './conversation.js';
export type { EnvironmentEvents, Session, TokenSource, WebSocketConstructor, WebSocketLike } from './connection.js';
export type { Listener } from './emitter.js';
export { SwitchboardError, type ClientErrorCode } from './errors.js';
export { memoryOutbox, type OutboxRecord, type OutboxStorage } from './outbox-storage.js';
export { indexedDbOutbox } from './indexeddb-outbox.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export type * from './types.js';
