import WebSocket from 'ws';
import { createClient, type Client, type ClientOptions, type Message } from '@switchboard/sdk/node';

/** An SDK client for tests: short timeouts so a cut link is noticed in seconds, not a minute. */
export function testClient(url: string, token: ClientOptions['token'], options: Partial<ClientOptions> = {}): Client {
  return createClient({ url, token, WebSocket: WebSocket as never, requestTimeoutMs: 3000, pingIntervalMs: 2000, pingTimeoutMs: 2000, backoff: { minMs: 100, maxMs: 1000 }, ...options });
}

/** Everything a followed conversation delivers, in the order it was delivered. */
export function recordMessages(client: Client, conversationId: string, since = 0): Message[] {
  const seen: Message[] = [];
  client.conversation(conversationId, { since }).on('message', (m) => seen.push(m));
  return seen;
}
