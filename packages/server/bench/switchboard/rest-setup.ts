import { mapLimit } from '../load/map-limit.js';
import { BENCH_ROLE } from './tokens.js';

/** Server-to-server setup calls (API key): users and the conversations of "host objects". */
export class RestSetup {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  private async put(path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** `PUT /v1/users/{id}` for each id, a few at a time. */
  async createUsers(ids: readonly string[], concurrency = 32): Promise<void> {
    await mapLimit(ids, concurrency, (id) => this.put(`/v1/users/${encodeURIComponent(id)}`, { roles: [BENCH_ROLE], display_name: `Bench ${id}` }));
  }

  /** `PUT /v1/conversations/by-context/{type}/{id}` with the members; returns the conversation id. */
  async ensureConversation(contextType: string, contextId: string, userIds: readonly string[]): Promise<string> {
    const json = await this.put(`/v1/conversations/by-context/${encodeURIComponent(contextType)}/${encodeURIComponent(contextId)}`, {
      title: `bench ${contextId}`,
      participants: userIds.map((user_id) => ({ user_id })),
    });
    const conversation = json.conversation as { id?: unknown } | undefined;
    if (typeof conversation?.id !== 'string') throw new Error(`no conversation id in ${JSON.stringify(json).slice(0, 200)}`);
    return conversation.id;
  }
}
