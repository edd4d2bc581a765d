import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'switchboard.js');

interface Started {
  child: ChildProcess;
  url: string;
  dataDir: string;
}

const started: Started[] = [];

/** Runs the real command, as `npm start` does, and waits for its "serving" log line. */
async function serve(args: string[]): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Registered before it is up, so that afterEach also stops a server that never got there.
  const entry: Started = { child, url: '', dataDir };
  started.push(entry);
  entry.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('switchboard is serving')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return entry;
}

async function post(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

afterEach(() => {
  for (const { child, dataDir } of started.splice(0)) {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('the switchboard command', () => {
  it('serves with demo users a newcomer can log in as and chat, then shuts down cleanly on SIGTERM', async () => {
    const { child, url } = await serve(['--demo']);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const control = await post(`${url}/v1/auth/login`, { email: 'control1@example.com', password: 'password123' });
    const driver = await post(`${url}/v1/auth/login`, { email: 'driver1@example.com', password: 'password123' });
    expect(control.status).toBe(200);
    expect(driver.body.user.roles).toEqual(['BUS_DRIVER']);
    const conversation = await post(`${url}/v1/conversations`, { type: 'direct', participant_ids: ['driver1'] }, control.body.access_token);
    expect(conversation.status).toBe(201);
    const id = conversation.body.conversation.id;
    expect((await post(`${url}/v1/conversations/${id}/messages`, { content: 'Road closed at Piazza' }, control.body.access_token)).status).toBe(201);
    expect((await post(`${url}/v1/conversations/${id}/messages`, { content: 'Rerouting via Churchill Ave' }, driver.body.access_token)).status).toBe(201);
    const page = await fetch(`${url}/v1/conversations/${id}/messages`, { headers: { authorization: `Bearer ${driver.body.access_token}` } });
    expect(((await page.json()) as { messages: { content: string }[] }).messages.map((m) => m.content)).toEqual(['Road closed at Piazza', 'Rerouting via Churchill Ave']);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('seeds nothing on a production start', async () => {
    const { url } = await serve([]);
    const login = await post(`${url}/v1/auth/login`, { email: 'driver1@example.com', password: 'password123' });
    expect(login.status).toBe(401);
  });

  it('refuses to start on bad configuration and lists the problems', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, PORT: 'abc', LOG_LEVEL: 'chatty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('LOG_LEVEL');
  });
});
