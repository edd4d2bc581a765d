import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_API_KEY, startTestServer, type TestServer } from '../support/test-server.js';
import { OpenClients } from './ws-fixtures.js';

describe('join_room support:<queue> follows the queue staffing rule like join_support_room', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  afterEach(() => clients.closeAll());

  it('lets control staff watch their own queue and refuses another system’s', async () => {
    const staff = await server.user(['CONTROL_STAFF']);
    const ws = await clients.as(staff);
    ws.send({ type: 'join_room', room_id: 'support:general_support', request_id: 'own' });
    expect(await ws.next((f) => f.request_id === 'own')).toMatchObject({ type: 'room_joined', room_id: 'support:general_support' });
    ws.send({ type: 'join_room', room_id: 'support:desk_support', request_id: 'desk' });
    expect(await ws.next((f) => f.request_id === 'desk')).toMatchObject({ type: 'error', message: 'Access denied to room', code: 'forbidden' });
  });

  it('drops a watched queue the new roles no longer staff', async () => {
    const staff = await server.user(['CONTROL_STAFF']);
    const ws = await clients.as(staff);
    ws.send({ type: 'join_room', room_id: 'support:general_support', request_id: 'own' });
    await ws.next((f) => f.request_id === 'own');
    expect((await server.request('PUT', `/v1/users/${staff.user.id}`, { apiKey: TEST_API_KEY, body: { roles: ['support'] } })).status).toBe(200);
    // Now desk staff: GuzoSync's queue is not theirs any more, the desk's is.
    for (let i = 0; i < 50; i++) {
      ws.send({ type: 'join_room', room_id: 'support:desk_support', request_id: `desk-${i}` });
      const reply = await ws.next((f) => f.request_id === `desk-${i}`);
      if (reply.type === 'room_joined') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const driver = await server.user(['BUS_DRIVER']);
    await server.user(['CONTROL_STAFF']);
    expect((await server.request('POST', '/api/conversations/create-support', { token: driver.token, body: { title: 'Brakes', content: 'Soft brakes' } })).status).toBe(201);
    await ws.nothing((f) => f.type === 'new_support_conversation');
  });
});
