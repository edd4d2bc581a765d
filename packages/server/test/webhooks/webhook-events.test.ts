import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '@switchboard/protocol';
import { eventually } from '../support/cluster.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { inTurn, TestReceiver } from './receiver.js';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { dialects } from '../support/test-stores.js';
import { createScratchPostgres, dropScratchPostgres } from '../support/scratch-postgres.js';

/** Every event type, each from the change that reports it, as a receiver subscribed to all of them hears it, on each dialect. */
describe.each(dialects)('webhook events on %s', (dialect) => {
  let server: TestServer;
  let hook: TestReceiver;
  let verifier: Webhook;
  let scratch: { url: string; name: string } | undefined;
  beforeAll(async () => {
    if (dialect === 'postgres') scratch = await createScratchPostgres(process.env.TEST_DATABASE_URL!, 'sb_webhooks');
    server = await startTestServer({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '100ms', JOB_POLL_MS: '50', MODERATION_AUTO_HIDE_REPORTS: '1', ...(scratch && { DATABASE_URL: scratch.url }) });
    hook = await TestReceiver.start(inTurn(200));
    const created = await server.request('POST', '/v1/webhooks', { apiKey: TEST_API_KEY, body: { url: hook.url, events: [...WEBHOOK_EVENT_TYPES] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    verifier = new Webhook(created.body.secret);
  });
  afterAll(async () => {
    await server?.close();
    await hook?.close();
    if (scratch) await dropScratchPostgres(process.env.TEST_DATABASE_URL!, scratch.name);
  });

  /** The verified bodies received so far. */
  const bodies = () => hook.received.map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as { type: string; timestamp: string; data: any });
  const heard = (type: string, match: (data: any) => boolean) => eventually(async () => bodies().find((b) => b.type === type && match(b.data)), 5000, `a ${type} event`);

  it('tells of conversations created and closed, and of participants added and removed', async () => {
    const alice = await server.user(['driver']);
    const bob = await server.user(['driver']);
    const carol = await server.user(['driver']);
    const made = await server.request('POST', '/v1/conversations', { token: alice.token, body: { participant_ids: [bob.user.id] } });
    const id = made.body.conversation.id as string;
    expect((await heard('conversation.created', (d) => d.conversation_id === id)).data).toMatchObject({ last_seq: 0, conversation: { id, created_by: alice.user.id } });

    expect((await server.request('POST', `/v1/conversations/${id}/participants`, { apiKey: TEST_API_KEY, body: { user_id: carol.user.id } })).status).toBeLessThan(300);
    expect((await heard('participant.added', (d) => d.conversation_id === id)).data).toMatchObject({ user_id: carol.user.id, role: 'member' });
    expect((await server.request('DELETE', `/v1/conversations/${id}/participants/${carol.user.id}`, { apiKey: TEST_API_KEY })).status).toBe(204);
    expect((await heard('participant.removed', (d) => d.conversation_id === id)).data).toMatchObject({ user_id: carol.user.id });

    expect((await server.request('PATCH', `/v1/conversations/${id}`, { apiKey: TEST_API_KEY, body: { status: 'closed' } })).status).toBe(200);
    expect((await heard('conversation.closed', (d) => d.conversation_id === id)).data.conversation.status).toBe('closed');
  });

  it('tells of messages created, edited, deleted, reported and hidden, each with its seq and the conversation’s last_seq', async () => {
    const alice = await server.user(['driver']);
    const bob = await server.user(['driver']);
    const id = (await server.request('POST', '/v1/conversations', { token: alice.token, body: { participant_ids: [bob.user.id] } })).body.conversation.id as string;
    const send = async (content: string) => (await server.request('POST', `/v1/conversations/${id}/messages`, { token: alice.token, body: { content } })).body.message;
    const first = await send('first');
    const second = await send('second');
    expect((await heard('message.created', (d) => d.message.id === first.id)).data).toMatchObject({ conversation_id: id, seq: 1, message: { content: 'first' } });
    expect((await heard('message.created', (d) => d.message.id === second.id)).data).toMatchObject({ seq: 2 });

    await server.request('PATCH', `/v1/conversations/${id}/messages/${first.id}`, { token: alice.token, body: { content: 'first, edited' } });
    expect((await heard('message.updated', (d) => d.message.id === first.id)).data).toMatchObject({ seq: 1, last_seq: 2, message: { content: 'first, edited', edited_at: expect.any(String) } });
    await server.request('DELETE', `/v1/conversations/${id}/messages/${first.id}`, { token: alice.token });
    expect((await heard('message.deleted', (d) => d.message.id === first.id)).data.message).toMatchObject({ content: '', deleted_at: expect.any(String) });

    // One report hides the message here (MODERATION_AUTO_HIDE_REPORTS=1).
    const reported = await server.request('POST', `/v1/conversations/${id}/messages/${second.id}/report`, { token: bob.token, body: { reason: 'spam' } });
    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    expect((await heard('report.created', (d) => d.message_id === second.id)).data).toMatchObject({ conversation_id: id, seq: 2, report: { reason: 'spam', reporter_id: bob.user.id } });
    // The host app's backend sees the hidden message whole, with the flag set.
    expect((await heard('message.hidden', (d) => d.message.id === second.id)).data.message).toMatchObject({ hidden: true, content: 'second' });
  });

  it('tells of a support case changing and of its rating', async () => {
    const customer = await server.user(['customer']);
    const agent = await server.user(['support']);
    const opened = await server.request('POST', '/v1/support/cases', { token: customer.token, body: { subject: 'Lost parcel', content: 'Where is it?' } });
    const id = opened.body.case.conversation_id as string;
    expect((await heard('message.created', (d) => d.conversation_id === id && d.seq === 1)).data.message.content).toBe('Where is it?');
    expect((await server.request('POST', `/v1/support/cases/${id}/accept`, { token: agent.token })).status).toBe(200);
    await heard('support_case.updated', (d) => d.conversation_id === id && d.case.status === 'active');
    expect((await server.request('POST', `/v1/support/cases/${id}/status`, { token: agent.token, body: { status: 'resolved' } })).status).toBe(200);
    await heard('support_case.updated', (d) => d.conversation_id === id && d.case.status === 'resolved');
    expect((await server.request('POST', `/v1/support/cases/${id}/rating`, { token: customer.token, body: { score: 5, comment: 'quick' } })).status).toBe(200);
    expect((await heard('rating.given', (d) => d.conversation_id === id)).data.case).toMatchObject({ csat_score: 5, csat_comment: 'quick' });
  });

  it('writes nothing for a type no endpoint receives', async () => {
    const { body } = await server.request('GET', '/v1/webhooks', { apiKey: TEST_API_KEY });
    const only = await server.request('PATCH', `/v1/webhooks/${body.webhooks[0].id}`, { apiKey: TEST_API_KEY, body: { events: ['report.created'] } });
    expect(only.status).toBe(200);
    const alice = await server.user(['driver']);
    const bob = await server.user(['driver']);
    const id = (await server.request('POST', '/v1/conversations', { token: alice.token, body: { participant_ids: [bob.user.id] } })).body.conversation.id as string;
    const sent = await server.request('POST', `/v1/conversations/${id}/messages`, { token: alice.token, body: { content: 'quiet' } });
    await server.request('PATCH', `/v1/conversations/${id}/messages/${sent.body.message.id}`, { token: alice.token, body: { content: 'quieter' } });
    const db = (server.services.store as KyselyStore).adapter.db;
    // Other features' jobs (notifications) are none of this test's business.
    const owed = await db.selectFrom('jobs').select('kind').where('subject_id', 'in', [id, sent.body.message.id]).where('kind', 'like', 'webhooks.%').execute();
    expect(owed).toEqual([]);
  });
});
