import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { conversation, eventually, OpenClients, restHistory, restSend, type Frame, type TestUser } from '../ws/ws-fixtures.js';

/**
 * Reports from REST and the native WebSocket reach the review queue and the moderators' live
 * connections; auto-hide and each moderator action change what readers see, and leave an audit line.
 */
describe('the moderation review workflow', () => {
  let server: TestServer;
  const clients = new OpenClients(() => server);
  beforeAll(async () => {
    server = await startTestServer({ JOB_POLL_MS: '50' });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => server.close());

  const member = () => server.user(['CONTROL_STAFF']);
  const moderator = () => server.user(['operator']);

  /** A group of four, one message by the first. */
  async function scene() {
    const people = [await member(), await member(), await member(), await member()] as const;
    const id = await conversation(server, people[0], people.slice(1));
    const message = await restSend(server, people[0], id, 'you are all idiots');
    return { people, id, message };
  }
  const reportOver = (who: TestUser, id: string, messageId: string, body: unknown = { reason: 'abuse' }) => server.request('POST', `/v1/conversations/${id}/messages/${messageId}/report`, { token: who.token, body });
  const queue = (who: TestUser | undefined, query = '') => server.request('GET', `/v1/moderation/reports${query}`, who ? { token: who.token } : { apiKey: TEST_API_KEY });
  const act = (who: TestUser, messageId: string, body: unknown) => server.request('POST', `/v1/moderation/reports/${messageId}/actions`, { token: who.token, body });

  it('files one report per reporter from REST and from the native WebSocket, and tells moderators live', async () => {
    const { people, id, message } = await scene();
    const mod = await moderator();
    const modSocket = await clients.as(mod);
    const memberSocket = await clients.as(people[3]);

    const first = await reportOver(people[1], id, message.id, { reason: 'abuse', note: 'insults' });
    expect(first.status).toBe(201);
    expect(first.body.report).toMatchObject({ message_id: message.id, conversation_id: id, reporter_id: people[1].user.id, reason: 'abuse', note: 'insults', state: 'open' });
    const again = await reportOver(people[1], id, message.id, { reason: 'spam' });
    expect(again.status).toBe(200);
    expect(again.body.report.id).toBe(first.body.report.id);

    const live = await modSocket.next((f) => f.type === 'message_reported');
    expect(live).toMatchObject({ report: { reporter_id: people[1].user.id, reason: 'abuse' }, message: { id: message.id, content: 'you are all idiots' }, open_reporters: 1 });

    const socket = await clients.as(people[2]);
    const reply = await socket.request('report_message', { conversation_id: id, message_id: message.id, reason: 'harassment' });
    expect(reply).toMatchObject({ success: true, message_id: message.id, created: true });
    expect(await modSocket.next((f) => f.type === 'message_reported')).toMatchObject({ report: { reporter_id: people[2].user.id }, open_reporters: 2 });
    // Nobody but moderators hears of reports.
    expect(memberSocket.frames.some((f) => f.type === 'message_reported')).toBe(false);

    const listed = await queue(mod);
    expect(listed.status).toBe(200);
    const item = listed.body.items.find((i: Frame) => i.message.id === message.id);
    expect(item).toMatchObject({ conversation_id: id, report_count: 2, reasons: { abuse: 1, harassment: 1 } });
    expect([...item.reporter_ids].sort()).toEqual([people[1].user.id, people[2].user.id].sort());
  });

  it('refuses reports of messages the reporter cannot read, as if they did not exist', async () => {
    const { id, message } = await scene();
    const outsider = await member();
    const refused = await reportOver(outsider, id, message.id);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('message_not_found');
    expect((await reportOver(outsider, id, 'no-such-message')).body.error.code).toBe('message_not_found');
    const socket = await clients.as(outsider);
    expect(await socket.request('report_message', { conversation_id: id, message_id: message.id, reason: 'spam' })).toMatchObject({ success: false, code: 'message_not_found' });
    expect((await reportOver(outsider, id, message.id, { reason: '' })).status).toBe(422);
  });

  it('keeps the queue and its actions to moderators', async () => {
    const { people, message } = await scene();
    expect((await queue(people[1])).status).toBe(403);
    expect((await act(people[1], message.id, { action: 'hide', reason: 'x' })).status).toBe(403);
    expect((await server.request('GET', '/v1/moderation/audit-log', { token: people[1].token })).status).toBe(403);
    const mod = await moderator();
    expect((await act(mod, message.id, { action: 'erase', reason: 'x' })).status).toBe(422);
    expect((await act(mod, 'no-such-message', { action: 'hide', reason: 'x' })).status).toBe(404);
  });

  it('pages through the whole queue, each message once, and refuses a cursor it did not hand out', async () => {
    const scenes = [await scene(), await scene(), await scene()];
    await Promise.all(scenes.map(({ people, id, message }) => reportOver(people[1], id, message.id)));
    const mod = await moderator();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await queue(mod, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i: Frame) => i.message.id as string));
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(scenes.map((s) => s.message.id)));

    for (const forged of ['nonsense', Buffer.from('s1:12').toString('base64url'), Buffer.from('q1:2030-01-01T00:00:00.000Z').toString('base64url')]) {
      const refused = await queue(mod, `?cursor=${forged}`);
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: '/cursor' }] });
    }
  });

  it('hides a message automatically at three distinct reporters: a tombstone for readers, whole for moderators, the room told', async () => {
    const { people, id, message } = await scene();
    const watcher = await clients.as(people[0]);
    expect((await watcher.request('join_conversation', { conversation_id: id })).success).toBe(true);
    for (const who of people.slice(1)) expect((await reportOver(who, id, message.id)).status).toBe(201);

    const hidden = await watcher.next((f) => f.type === 'message_hidden');
    expect(hidden.message).toMatchObject({ id: message.id, seq: message.seq, content: '', hidden: true, attachments: [] });
    const seen = (await restHistory(server, people[2], id)).find((m) => m.id === message.id)!;
    expect(seen).toMatchObject({ seq: message.seq, content: '', hidden: true });
    const mod = await moderator();
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { apiKey: TEST_API_KEY });
    expect(page.body.messages.find((m: Frame) => m.id === message.id)).toMatchObject({ content: 'you are all idiots', hidden: true });
    const log = await server.request('GET', '/v1/moderation/audit-log?action=auto_hide', { token: mod.token });
    expect(log.body.entries).toEqual([expect.objectContaining({ actor_id: null, action: 'auto_hide', target_type: 'message', target_id: message.id })]);
    // The last message of the conversation list is the tombstone too.
    const list = await server.request('GET', '/v1/conversations', { token: people[3].token });
    expect(list.body.conversations.find((c: Frame) => c.id === id).last_message).toMatchObject({ content: '', hidden: true });
  });

  it('applies hide, unhide, delete and dismiss, settling the reports and auditing each', async () => {
    const { people, id, message } = await scene();
    const mod = await moderator();
    const watcher = await clients.as(people[3]);
    expect((await watcher.request('join_conversation', { conversation_id: id })).success).toBe(true);
    await reportOver(people[1], id, message.id);

    const hide = await act(mod, message.id, { action: 'hide', reason: 'insults' });
    expect(hide.status).toBe(200);
    expect(hide.body).toMatchObject({ message: { id: message.id, hidden: true }, reports_settled: 1 });
    expect(await watcher.next((f) => f.type === 'message_hidden')).toMatchObject({ message: { content: '' } });
    expect((await queue(mod)).body.items.some((i: Frame) => i.message.id === message.id)).toBe(false);
    expect((await queue(mod, '?state=actioned')).body.items.some((i: Frame) => i.message.id === message.id)).toBe(true);

    const unhide = await act(mod, message.id, { action: 'unhide', reason: 'on appeal' });
    expect(unhide.body.message).toMatchObject({ hidden: false, content: 'you are all idiots' });
    expect(await watcher.next((f) => f.type === 'message_edited')).toMatchObject({ message: { content: 'you are all idiots', hidden: false } });

    const other = await restSend(server, people[1], id, 'borderline');
    await reportOver(people[2], id, other.id, { reason: 'spam' });
    expect((await act(mod, other.id, { action: 'dismiss', reason: 'fine' })).body.reports_settled).toBe(1);
    expect((await queue(mod, '?state=dismissed')).body.items.map((i: Frame) => i.message.id)).toContain(other.id);

    const deleted = await act(mod, message.id, { action: 'delete', reason: 'repeat' });
    expect(deleted.body.message).toMatchObject({ content: '' });
    expect(deleted.body.message.deleted_at).not.toBeNull();

    const log = await server.request('GET', `/v1/moderation/audit-log?actor_id=${mod.user.id}`, { token: mod.token });
    expect(log.body.entries.map((e: Frame) => e.action)).toEqual(['delete', 'dismiss', 'unhide', 'hide']);
    expect(log.body.entries[3]).toMatchObject({ target_id: message.id, reason: 'insults', params: { conversation_id: id, sender_id: people[0].user.id } });
  });

  it('audits a moderator deleting someone else’s message through the plain delete, and settles its reports', async () => {
    const { people, id, message } = await scene();
    await reportOver(people[1], id, message.id);
    // A moderator who takes part in the conversation deletes over the ordinary endpoint.
    const mod = await server.user(['CONTROL_ADMIN']);
    expect((await server.request('POST', `/v1/conversations/${id}/participants`, { apiKey: TEST_API_KEY, body: { user_id: mod.user.id } })).status).toBeLessThan(300);
    const deleted = await server.request('DELETE', `/v1/conversations/${id}/messages/${message.id}`, { token: mod.token });
    expect(deleted.status).toBe(200);
    const log = await server.request('GET', `/v1/moderation/audit-log?actor_id=${mod.user.id}`, { token: mod.token });
    expect(log.body.entries).toEqual([expect.objectContaining({ action: 'delete', target_id: message.id, params: expect.objectContaining({ sender_id: people[0].user.id, reports_settled: 1 }) })]);
    // The author's own delete is not a moderator action.
    const own = await restSend(server, people[1], id, 'mine');
    expect((await server.request('DELETE', `/v1/conversations/${id}/messages/${own.id}`, { token: people[1].token })).status).toBe(200);
    expect((await server.request('GET', `/v1/moderation/audit-log?actor_id=${people[1].user.id}`, { apiKey: TEST_API_KEY })).body.entries).toEqual([]);
  });

  it('starts and stops telling a connection of reports as its roles change', async () => {
    const { people, id, message } = await scene();
    const promoted = await member();
    const socket = await clients.as(promoted);
    expect((await server.request('PUT', `/v1/users/${promoted.user.id}`, { apiKey: TEST_API_KEY, body: { roles: ['operator'] } })).status).toBe(200);
    await eventually(async () => {
      await reportOver(people[1], id, message.id);
      return socket.frames.some((f) => f.type === 'message_reported');
    }, 'the promoted connection hears of a report');
    expect((await server.request('PUT', `/v1/users/${promoted.user.id}`, { apiKey: TEST_API_KEY, body: { roles: ['CONTROL_STAFF'] } })).status).toBe(200);
    const before = socket.frames.length;
    await eventually(async () => (await server.services.store.users.byId(promoted.user.id))!.roles.includes('CONTROL_STAFF'), 'the demotion is stored');
    // Give the demotion's event time to reach the connection, then report again.
    await new Promise((r) => setTimeout(r, 100));
    await reportOver(people[2], id, message.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(socket.frames.slice(before).some((f) => f.type === 'message_reported')).toBe(false);
  });

  it('files the server’s own report for a flagged blocklist term, through the outbox', async () => {
    const mod = await moderator();
    expect((await server.request('PUT', '/v1/moderation/blocklist', { token: mod.token, body: { action: 'flag', terms: ['Cash App'] } })).status).toBe(200);
    const [a, b] = [await member(), await member()];
    const id = await conversation(server, a, [b]);
    // The blocklist is cached for MODERATION_CACHE_MS (2 s here) on every node.
    let sent: Frame | undefined;
    await eventually(async () => {
      sent = await restSend(server, a, id, 'pay me on cash  app please');
      const q = await queue(mod);
      return q.body.items.some((i: Frame) => i.message.id === sent!.id && i.reporter_ids.includes('system:blocklist'));
    }, 'a flagged message is in the queue', 8000);
    expect(sent!.content).toBe('pay me on cash  app please');
    const item = (await queue(mod)).body.items.find((i: Frame) => i.message.id === sent!.id);
    expect(item.reports[0]).toMatchObject({ reason: 'blocklist', note: 'matched: cash app' });
  });
});
