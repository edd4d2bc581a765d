import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CLUSTER_API_KEY, CLUSTER_JWT_SECRET, ClusterNode, mintToken } from './cluster.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'switchboard.js');

/**
 * One `switchboard serve` process on the embedded store in `dataDir` (no PostgreSQL, no Redis),
 * for tests that kill a process and start another on the same files.
 */
export function startEmbeddedNode(index: number, dataDir: string, env: Record<string, string> = {}): Promise<ClusterNode> {
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...inherited, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: CLUSTER_JWT_SECRET, API_KEYS: CLUSTER_API_KEY, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ClusterNode(index, child, dataDir).serving();
}

/** JSON in and out against one node. */
export async function nodeRequest(node: ClusterNode, method: string, path: string, options: { token?: string; apiKey?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${node.url}${path}`, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) });
  return { status: response.status, body: (await response.json()) as any };
}

/** Creates a user through the host API and mints a token for it. */
export async function nodeUser(node: ClusterNode, id: string, roles: string[]) {
  const created = await nodeRequest(node, 'PUT', `/v1/users/${id}`, { apiKey: CLUSTER_API_KEY, body: { roles, display_name: id } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id, token: await mintToken(id, roles) };
}
