import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSioClient } from '../support/sio-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { STEPPERGO_PATH } from './steppergo-fixtures.js';

describe('the StepperGO demo trip under npm start', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SEED_DEMO: 'true' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lets tripdriver1, organizer1 and passenger1 sign in and join trip T-1001', async () => {
    for (const email of ['tripdriver1@example.com', 'organizer1@example.com', 'passenger1@example.com']) {
      const login = await server.request('POST', '/api/auth/login', { body: { email, password: 'password123' } });
      expect(login.status, email).toBe(200);
      const socket = await TestSioClient.connect(server.url, login.body.session.token, { path: STEPPERGO_PATH });
      try {
        socket.emit('join:conversation', { tripId: 'T-1001' });
        expect(await socket.next('conversation:joined'), email).toMatchObject({ tripId: 'T-1001' });
      } finally {
        socket.close();
      }
    }
  });

  it('keeps everyone else out of it', async () => {
    const login = await server.request('POST', '/api/auth/login', { body: { email: 'customer1@example.com', password: 'password123' } });
    const history = await server.request('GET', '/api/messages/T-1001', { token: login.body.session.token });
    expect(history).toMatchObject({ status: 404, body: { error: 'Access denied to this conversation' } });
  });
});
