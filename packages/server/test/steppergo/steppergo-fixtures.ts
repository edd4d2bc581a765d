import { expect } from 'vitest';
import { TestSioClient } from '../support/sio-client.js';
import { TEST_API_KEY, type TestServer } from '../support/test-server.js';

export const PASSWORD = 'trip-password-1';
export const STEPPERGO_PATH = '/api/socket';

export interface TripUser {
  readonly id: string;
  readonly email: string;
  /** An opaque session token from `POST /api/auth/login`. */
  readonly token: string;
}

let counter = 0;

/** A StepperGO user with a password, signed in through StepperGO's own login. */
export async function tripUser(server: TestServer, role: string, name = role): Promise<TripUser> {
  const id = `sg-${role.toLowerCase()}-${process.pid}-${++counter}`;
  const email = `${id}@example.com`;
  const made = await server.request('PUT', `/v1/users/${id}`, { apiKey: TEST_API_KEY, body: { roles: [role], display_name: name, email, password: PASSWORD } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const login = await server.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return { id, email, token: login.body.session.token as string };
}

/** The host app registers a trip's people (`PUT /v1/conversations/by-context/trip/{id}`). */
export async function registerTrip(server: TestServer, tripId: string, people: readonly { user: TripUser; role: string }[]): Promise<string> {
  const res = await server.request('PUT', `/v1/conversations/by-context/trip/${tripId}`, {
    apiKey: TEST_API_KEY,
    body: { title: `Trip ${tripId}`, participants: people.map((p) => ({ user_id: p.user.id, role: p.role })) },
  });
  expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
  return res.body.conversation.id as string;
}

/** Sockets a test opened on `/api/socket`, closed after it. */
export class TripSockets {
  private readonly open: TestSioClient[] = [];

  constructor(private readonly server: () => TestServer) {}

  async as(user: TripUser | string, options: { headers?: Record<string, string> } = {}): Promise<TestSioClient> {
    const token = typeof user === 'string' ? user : user.token;
    const client = await TestSioClient.connect(this.server().url, options.headers ? undefined : token, { path: STEPPERGO_PATH, ...options });
    this.open.push(client);
    return client;
  }

  /** Connects and joins the trip's conversation; returns the socket and the joined event. */
  async joined(user: TripUser, tripId: string): Promise<TestSioClient> {
    const socket = await this.as(user);
    socket.emit('join:conversation', { tripId });
    expect(await socket.next('conversation:joined')).toMatchObject({ tripId, conversationId: expect.any(String) });
    return socket;
  }

  closeAll(): void {
    for (const client of this.open.splice(0)) client.close();
  }
}

/** The `connect_error` a handshake on `/api/socket` fails with. */
export async function refusal(server: TestServer, token: string | undefined): Promise<string> {
  try {
    const client = await TestSioClient.connect(server.url, token, { path: STEPPERGO_PATH });
    client.close();
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  }
}
