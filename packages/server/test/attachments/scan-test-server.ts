import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { topics, type DomainEvent } from '../../src/bus/domain-event.js';
import { loadConfig } from '../../src/core/config.js';
import { startServer } from '../../src/server.js';
import type { StoredAttachment } from '../../src/storage/store.js';
import { TEST_API_KEY, type TestServer } from '../support/test-server.js';

/** One pino line, parsed. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface ScanTestServer extends TestServer {
  /** Every line the server logged at warn or above, in order. */
  readonly logs: LogLine[];
  /** Every event published on `topics.admin`. */
  readonly adminEvents: DomainEvent[];
  /** The upload's record as it is now. */
  attachment(id: string): Promise<StoredAttachment | undefined>;
  /** Polls the upload's record until `done` holds, or fails at the deadline with the last record. */
  waitForAttachment(id: string, done: (a: StoredAttachment) => boolean, deadlineMs?: number): Promise<StoredAttachment>;
}

let counter = 0;

/**
 * A real server on an ephemeral port over a fresh SQLite file, as `startTestServer` starts one,
 * plus what the scanning tests look at: the log (a real pino writing to a buffer) and the admin
 * topic. Jobs are polled fast so retries come promptly (the runner's backoff still applies).
 */
export async function startScanServer(env: Record<string, string>): Promise<ScanTestServer> {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const logger = pino({ level: 'warn' }, sink);
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-scan-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', API_KEYS: TEST_API_KEY, JWT_SECRET: 'x'.repeat(40), JOB_POLL_MS: '50', ...env });
  const running = await startServer(config, { logger });
  const request: TestServer['request'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${running.url}${path}`, { method, headers, ...(body !== undefined && { body }) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown), headers: response.headers };
  };
  const server: TestServer = {
    ...running,
    request,
    async user(roles, id = `scan-${process.pid}-${++counter}`) {
      const created = await request('PUT', `/v1/users/${id}`, { apiKey: TEST_API_KEY, body: { roles, display_name: `Test ${id}` } });
      if (created.status !== 201 && created.status !== 200) throw new Error(`could not create user: ${JSON.stringify(created.body)}`);
      const user = (await running.services.store.users.byId(id))!;
      return { user, token: await running.services.tokens.mint(user) };
    },
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const adminEvents: DomainEvent[] = [];
  server.services.bus.subscribe(topics.admin, (event) => adminEvents.push(event));
  const attachment = (id: string) => server.services.store.attachments.byId(id);
  return {
    ...server,
    logs,
    adminEvents,
    attachment,
    async waitForAttachment(id, done, deadlineMs = 30_000) {
      const deadline = Date.now() + deadlineMs;
      for (;;) {
        const current = await attachment(id);
        if (current && done(current)) return current;
        if (Date.now() > deadline) throw new Error(`upload ${id} did not reach the expected state; last: ${JSON.stringify(current)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Two users in a direct conversation, and someone outside it. */
export async function openRoom(server: TestServer) {
  const a = await server.user(['CONTROL_STAFF']);
  const b = await server.user(['CONTROL_STAFF']);
  const stranger = await server.user(['CONTROL_STAFF']);
  const id = (await server.request('POST', '/v1/conversations', { token: a.token, body: { participant_ids: [b.user.id] } })).body.conversation.id as string;
  return { a, b, stranger, id };
}

/** Polls until `check` resolves true, or fails at the deadline. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
