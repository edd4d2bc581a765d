import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_API_KEY, Cluster, clusterServices } from '../support/cluster.js';
import { TestSioClient } from '../support/sio-client.js';
import { PASSWORD, STEPPERGO_PATH } from './steppergo-fixtures.js';

const services = clusterServices();

describe.skipIf(!services)('StepperGO across nodes (PostgreSQL + Redis)', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.start(services!, { nodes: 2 });
  });
  afterEach(() => cluster?.closeClients());
  afterAll(async () => {
    await cluster?.close();
  });

  /** A user signed in on one node through StepperGO's login, connected to `/api/socket` on another. */
  async function signedIn(role: string, loginNode: number, socketNode: number) {
    const email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const user = await cluster.user([role], { email, password: PASSWORD });
    const login = await cluster.request(loginNode, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const token = login.body.session.token as string;
    const socket = cluster.track(await TestSioClient.connect(cluster.node(socketNode).url, token, { path: STEPPERGO_PATH }));
    return { user, token, socket };
  }

  it('delivers a trip’s messages, typing and reads between sockets on different nodes, and ends a session everywhere', async () => {
    const driver = await signedIn('DRIVER', 0, 0);
    const passenger = await signedIn('PASSENGER', 0, 1);
    const tripId = `XT-${Date.now()}`;
    const put = await cluster.request(0, 'PUT', `/v1/conversations/by-context/trip/${tripId}`, {
      apiKey: CLUSTER_API_KEY,
      body: { participants: [{ user_id: driver.user.id, role: 'driver' }, { user_id: passenger.user.id, role: 'passenger' }] },
    });
    const conversationId = put.body.conversation.id as string;
    for (const { socket } of [driver, passenger]) {
      socket.emit('join:conversation', { tripId });
      await socket.next('conversation:joined');
    }
    driver.socket.emit('message:send', { conversationId, content: 'From node 0', metadata: { tempId: 'x1' } });
    expect(await passenger.socket.next('message:new')).toMatchObject({ content: 'From node 0', sender: { role: 'driver' } });
    passenger.socket.emit('typing:start', { conversationId });
    expect(await driver.socket.next('typing:start')).toMatchObject({ userId: passenger.user.id });
    passenger.socket.emit('messages:read', { conversationId });
    expect(await driver.socket.next('messages:read')).toMatchObject({ userId: passenger.user.id, conversationId });

    // Logging out on node 0 closes the session's socket on node 1.
    const gone = new Promise<void>((resolve) => passenger.socket.socket.once('disconnect', () => resolve()));
    expect((await cluster.request(0, 'POST', '/api/auth/logout', { token: passenger.token })).status).toBe(200);
    await gone;
    expect((await cluster.request(1, 'GET', `/api/messages/${tripId}`, { token: passenger.token })).status).toBe(401);
  });
});
