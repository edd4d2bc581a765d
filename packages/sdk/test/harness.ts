import { vi } from 'vitest';
import { createClient, type ClientOptions } from '../src/index.js';
import type { StateChange } from '../src/types.js';
import { FakeServer } from './fake-server.js';

/** Fake clocks for timers and Date; microtasks stay real so frames still flow. */
export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

/** Lets every queued frame and promise settle, moving the fake clock by `ms`. */
export async function tick(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

/** A client on a fake server, with its state changes recorded. */
export function fakeClient(options: Partial<ClientOptions> = {}, server = new FakeServer()) {
  const states: StateChange[] = [];
  const client = createClient({ url: 'http://fake.test', token: 'token-1', WebSocket: server.WebSocket, environment: null, random: () => 1, ...options });
  client.on('state', (s) => states.push(s));
  return { server, client, states };
}
