import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '../src/backoff.js';
import type { EnvironmentEvents } from '../src/connection.js';
import { SwitchboardError } from '../src/errors.js';
import { fakeClient, tick, useFakeClock } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('backoff', () => {
  it('caps grow from 0.5 s by doubling up to 20 s, and each delay is anywhere below its cap', () => {
    const caps = Array.from({ length: 8 }, (_, attempt) => backoffDelay(attempt, {}, () => 0.999999));
    expect(caps).toEqual([499, 999, 1999, 3999, 7999, 15999, 19999, 19999]);
    expect(backoffDelay(3, {}, () => 0)).toBe(0);
    expect(backoffDelay(50, { minMs: 100, maxMs: 1000 }, () => 0.5)).toBe(500);
  });
});

describe('connection state machine', () => {
  it('connects, authenticates over the bearer subprotocol, and resolves connect()', async () => {
    useFakeClock();
    const { client, server, states } = fakeClient();
    const session = client.connect();
    await tick();
    await expect(session).resolves.toMatchObject({ userId: 'me' });
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(server.sockets[0]!.url).toBe('ws://fake.test/v1/ws');
    expect(server.sockets[0]!.protocols).toEqual(['bearer', 'token-1']);
    client.close();
    expect(client.state).toBe('closed');
  });

  it('retries with full-jitter backoff while the server is down, asking for a token each time', async () => {
    useFakeClock();
    const token = vi.fn(() => 'token-1');
    const { client, server, states } = fakeClient({ token });
    server.down = true;
    void client.connect();
    await tick();
    for (let i = 0; i < 5; i++) await tick(20_000);
    const waits = states.filter((s) => s.state === 'disconnected').map((s) => s.retryInMs);
    // random() = 1 gives the cap itself: 0.5 s doubling, at most 20 s.
    expect(waits.slice(0, 6)).toEqual([500, 1000, 2000, 4000, 8000, 16_000]);
    expect(token.mock.calls.length).toBe(server.sockets.length);
    server.down = false;
    await tick(20_000);
    expect(client.state).toBe('connected');
    // Back to the shortest wait once a connection got through.
    server.live!.drop(1006, '');
    await tick();
    expect(states.at(-1)).toMatchObject({ state: 'disconnected', retryInMs: 500 });
    client.close();
  });

  it('retries at once when the browser says it is online again', async () => {
    useFakeClock();
    const listeners = new Map<string, () => void>();
    const environment: EnvironmentEvents = { addEventListener: (t, l) => listeners.set(t, l), removeEventListener: (t) => listeners.delete(t), visibilityState: 'visible' };
    const { client, server } = fakeClient({ environment });
    server.down = true;
    void client.connect();
    await tick();
    await tick(500);
    await tick(1000);
    expect(client.state).toBe('disconnected');
    server.down = false;
    listeners.get('online')!();
    await tick();
    expect(client.state).toBe('connected');
    client.close();
    expect(listeners.size).toBe(0);
  });

  it('retries at once when the page becomes visible again, not while it stays hidden', async () => {
    useFakeClock();
    const listeners = new Map<string, () => void>();
    const environment = { addEventListener: (t: string, l: () => void) => listeners.set(t, l), removeEventListener: (t: string) => listeners.delete(t), visibilityState: 'hidden' };
    const { client, server } = fakeClient({ environment: environment as EnvironmentEvents });
    server.down = true;
    void client.connect();
    await tick();
    await tick(500);
    await tick(1000);
    server.down = false;
    const attempts = server.sockets.length;
    listeners.get('visibilitychange')!();
    await tick();
    expect(server.sockets).toHaveLength(attempts);
    environment.visibilityState = 'visible';
    listeners.get('visibilitychange')!();
    await tick();
    expect(client.state).toBe('connected');
    client.close();
  });

  it('a refused token ends retries with a terminal error that says why', async () => {
    useFakeClock();
    const token = vi.fn(() => 'revoked');
    const { client, server, states } = fakeClient({ token });
    server.refused.set('revoked', 'Session ended');
    const connecting = client.connect();
    connecting.catch(() => {});
    await tick();
    await tick(60_000);
    await expect(connecting).rejects.toMatchObject({ code: 'invalid_token', message: 'Session ended' });
    expect(client.state).toBe('closed');
    expect(states.at(-1)).toEqual({ state: 'closed', error: { code: 'invalid_token', message: 'Session ended', terminal: true } });
    expect(client.error).toBeInstanceOf(SwitchboardError);
    // Asked once more at once; it gave the same token, so nothing was sent again.
    expect(token).toHaveBeenCalledTimes(2);
    expect(server.sockets).toHaveLength(1);
  });

  it('a token refused once is replaced by a fresh one from the token function', async () => {
    useFakeClock();
    const tokens = ['expired', 'fresh'];
    const token = vi.fn(() => tokens.shift() ?? 'fresh');
    const { client, server, states } = fakeClient({ token });
    server.refused.set('expired', 'Token expired');
    const connected = client.connect();
    await tick();
    await expect(connected).resolves.toMatchObject({ userId: 'me' });
    expect(server.sockets.map((s) => s.token)).toEqual(['expired', 'fresh']);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'disconnected', 'connecting', 'connected']);
    client.close();
  });

  it('a silent link is pinged, then given up and replaced', async () => {
    useFakeClock();
    const { client, server, states } = fakeClient({ pingIntervalMs: 1000, pingTimeoutMs: 500 });
    await Promise.all([client.connect(), tick()]);
    server.intercept = (frame) => (frame.type === 'ping' ? 'ignore' : 'answer');
    await tick(1300);
    expect(server.sent('ping')).toHaveLength(1);
    await tick(600);
    expect(states.some((s) => s.state === 'disconnected' && s.error?.message === 'No answer to ping')).toBe(true);
    await tick(600);
    expect(client.state).toBe('connected');
    expect(server.sockets).toHaveLength(2);
    client.close();
  });

  it('a pong keeps the link', async () => {
    useFakeClock();
    const { client, server } = fakeClient({ pingIntervalMs: 1000, pingTimeoutMs: 500 });
    await Promise.all([client.connect(), tick()]);
    await tick(10_000);
    expect(server.sent('ping').length).toBeGreaterThanOrEqual(5);
    expect(server.sockets).toHaveLength(1);
    client.close();
  });

  it('events of a replaced socket change nothing', async () => {
    useFakeClock();
    const { client, server } = fakeClient();
    await Promise.all([client.connect(), tick()]);
    const conversation = client.conversation('c1');
    const seen: number[] = [];
    conversation.on('message', (m) => seen.push(m.seq));
    await tick();
    const old = server.live!;
    old.drop(1006, '');
    await tick(600);
    expect(server.sockets).toHaveLength(2);
    // The old socket speaks after it was replaced: a message and a second close.
    old.pushLate({ type: 'new_message', conversation_id: 'c1', message: { seq: 1, id: 'x', content: 'ghost' } });
    old.onclose?.({ code: 1006, reason: '' });
    await tick(30_000);
    expect(seen).toEqual([]);
    expect(server.sockets).toHaveLength(2);
    expect(client.state).toBe('connected');
    client.close();
  });
});
