import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { MorevansSockets } from './morevans-fixtures.js';

describe('the MoreVans demo request under npm start', () => {
  let server: TestServer;
  const sockets = new MorevansSockets(() => server);
  const login = async (email: string) => (await server.request('POST', '/v1/auth/login', { body: { email, password: 'password123' } })).body.access_token as string;

  beforeAll(async () => {
    server = await startTestServer({ SEED_DEMO: 'true' });
  });
  afterAll(async () => server?.close());
  afterEach(() => sockets.closeAll());

  it('lets mvcustomer1 and provider1 enter request R-2001 and chat in its room', async () => {
    const customer = { token: await login('mvcustomer1@example.com') };
    const provider = { token: await login('provider1@example.com') };
    const room = await server.request('POST', '/api/v1/chat-rooms/create_or_get/', { token: customer.token, body: { related_model: 'request', related_id: 'R-2001' } });
    expect(room.status).toBe(200);
    expect(room.body).toMatchObject({ room_type: 'request', related_id: 'R-2001' });
    const live = await sockets.room({ token: provider.token, user: { id: 'provider1' } }, room.body.id);
    const sent = await server.request('POST', '/api/v1/chat-messages/', { token: customer.token, body: { chat_room: room.body.id, content: 'Hello from the demo' } });
    expect(sent.status).toBe(201);
    expect((await live.next((f) => f.type === 'chat_message')).message).toMatchObject({ content: 'Hello from the demo', sender: 'mvcustomer1' });
  });

  it('keeps mvsupport1 out of it (not a support room)', async () => {
    const staff = await login('mvsupport1@example.com');
    const res = await server.request('POST', '/api/v1/chat-rooms/create_or_get/', { token: staff, body: { related_model: 'request', related_id: 'R-2001' } });
    expect(res.status).toBe(404);
  });
});
