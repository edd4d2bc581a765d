import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/core/config.js';
import type { User } from '../../src/core/model.js';
import { startServer, type RunningServer } from '../../src/server.js';

export const TEST_API_KEY = 'test-api-key-0123456789abcdef';

export interface TestServer extends RunningServer {
  /** Calls the REST API with JSON in and out. */
  request(method: string, path: string, options?: { token?: string; apiKey?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  /** Creates a user through the API and returns it with a token minted for it. */
  user(roles: string[], id?: string): Promise<{ user: User; token: string }>;
}

let counter = 0;

/** A real server on an ephemeral port over a fresh SQLite file (or `env.DATABASE_URL`). */
export async function startTestServer(env: Record<string, string> = {}, overrides: Partial<Config> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const config = loadConfig(
    { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', API_KEYS: TEST_API_KEY, JWT_SECRET: 'x'.repeat(40), ...env },
    overrides,
  );
  const server = await startServer(config);
  const request: TestServer['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined && { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (metrics, HTML): hand back the text.
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    ...server,
    request,
    async user(roles, id = `user-${process.pid}-${++counter}`) {
      const created = await request('PUT', `/v1/users/${id}`, { apiKey: TEST_API_KEY, body: { roles, display_name: `Test ${id}` } });
      if (created.status !== 201 && created.status !== 200) throw new Error(`could not create user: ${JSON.stringify(created.body)}`);
      const user = (await server.services.store.users.byId(id))!;
      return { user, token: await server.services.tokens.mint(user) };
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
