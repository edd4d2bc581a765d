import { expect } from 'vitest';
import { TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { namedUser, type TestUser } from '../ws/ws-fixtures.js';

/** A MoreVans scene: a customer and a provider in a request's room the host app registered. */
export interface RequestScene {
  readonly customer: TestUser;
  readonly provider: TestUser;
  /** Someone of MoreVans who is not in the room. */
  readonly stranger: TestUser;
  readonly requestId: string;
  readonly roomId: string;
}

let requests = 0;

/** The host app registers a request's people, as `PUT /v1/conversations/by-context/request/{id}`. */
export async function registerRequest(server: TestServer, requestId: string, people: readonly { user: TestUser; role: string }[]): Promise<string> {
  const res = await server.request('PUT', `/v1/conversations/by-context/request/${requestId}`, {
    apiKey: TEST_API_KEY,
    body: { title: `Request ${requestId}`, participants: people.map((p) => ({ user_id: p.user.user.id, role: p.role })) },
  });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body.conversation.id as string;
}

export async function requestScene(server: TestServer): Promise<RequestScene> {
  const customer = await namedUser(server, ['morevans_customer'], 'Mia', 'Mover');
  const provider = await namedUser(server, ['provider'], 'Paula', 'Provider');
  const stranger = await namedUser(server, ['morevans_customer'], 'Sam', 'Stranger');
  const requestId = `R-${process.pid}-${++requests}`;
  const roomId = await registerRequest(server, requestId, [
    { user: customer, role: 'customer' },
    { user: provider, role: 'provider' },
  ]);
  return { customer, provider, stranger, requestId, roomId };
}

/** Open MoreVans sockets of one test, closed after it. */
export class MorevansSockets {
  private readonly open: TestWsClient[] = [];

  constructor(private readonly server: () => TestServer) {}

  /** Connects without waiting for anything (for refusals: the close comes after the upgrade). */
  async raw(path: string, token: string | undefined): Promise<TestWsClient> {
    const client = await TestWsClient.connect(this.server().url, token, { path });
    this.open.push(client);
    return client;
  }

  /**
   * A room's socket, once the server has registered it: the document has no welcome frame, so
   * a ping is answered only after the socket follows the room (frames wait for registration).
   */
  async room(who: TestUser, roomId: string): Promise<TestWsClient> {
    return this.ready(await this.raw(`/ws/chat/${roomId}/`, who.token));
  }

  async notifications(who: TestUser): Promise<TestWsClient> {
    return this.ready(await this.raw('/ws/notifications/', who.token));
  }

  private async ready(client: TestWsClient): Promise<TestWsClient> {
    client.send({ type: 'ping', timestamp: 'ready' });
    await client.next((f) => f.type === 'pong' && f.timestamp === 'ready');
    return client;
  }

  closeAll(): void {
    for (const client of this.open.splice(0)) if (!client.closed) client.ws.terminate();
  }
}
