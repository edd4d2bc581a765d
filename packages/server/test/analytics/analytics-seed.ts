import type { Kysely } from 'kysely';
import type { Message } from '../../src/core/model.js';
import type { Database } from '../../src/storage/database.js';
import type { CaseNote, Store } from '../../src/storage/store.js';

/**
 * A small instance with every timestamp fixed, for exact analytics figures on every dialect.
 * The repositories write the rows (so pointers, seqs and notes are what the service would
 * leave); the times they stamp with `now` are then set directly in the database.
 *
 * Range of interest: [2030-01-01, 2030-01-15).
 * - general G1 (created 2029-12-20; members u1, u2): a message just before the range, three in
 *   it (01-06, 01-07, 01-07), one exactly at its end. u2's receipt stamps m1 (1.5 s), u1's read
 *   stamps m2 (4 s).
 * - direct G2 (created 01-02, closed, no messages); trip G3 (created 01-20, after the range).
 * - support S1 (general_support, opened 01-02 08:00 by c1): agent-1 accepts and replies at
 *   08:05 (5 min), it is resolved, reopened 01-03 10:00, agent-2 replies 10:02 (2 min), c1
 *   writes, resolved again 01-03 12:00 (28 h after opening), rated 4. c1's receipt stamps the
 *   accept note (4 min 0.25 s) and agent-1's reply (0.25 s).
 * - support S2 (billing, opened 01-08 12:00 by c2): agent-1 accepts, sends a bot message, replies
 *   12:10 (10 min), resolved 13:00 (1 h), rated 2.
 * - support S3 (general_support, opened 01-10 by c1): never answered.
 */
export const RANGE = { from: '2030-01-01T00:00:00.000Z', to: '2030-01-15T00:00:00.000Z' } as const;

export const IDS = {
  u1: 'member-1',
  u2: 'member-2',
  c1: 'customer-1',
  c2: 'customer-2',
  a1: 'agent-1',
  a2: 'agent-2',
} as const;

const note = (content: string, change: string): CaseNote => ({ content, metadata: { support_change: change } });

export async function seedAnalytics(store: Store, db: Kysely<Database>): Promise<{ s1: string; s2: string; s3: string; g1: string }> {
  for (const id of Object.values(IDS)) await store.users.upsert({ id, email: `${id}@example.test`, passwordHash: null, displayName: id, roles: [] });
  const setMessage = (message: Message | undefined, at: string) => db.updateTable('messages').set({ created_at: at }).where('id', '=', message!.id).execute();
  const setConversation = (id: string, at: string) => db.updateTable('conversations').set({ created_at: at }).where('id', '=', id).execute();
  const setDelivered = (message: Message, at: string) => db.updateTable('message_deliveries').set({ first_delivered_at: at }).where('message_id', '=', message.id).execute();
  const send = async (conversationId: string, senderId: string, at: string, kind = 'text') => {
    const { message } = await store.messages.append({ conversationId, senderId, kind, content: `${senderId} at ${at}` });
    await setMessage(message, at);
    return message;
  };

  const members = [{ userId: IDS.u1, role: 'member' }, { userId: IDS.u2, role: 'member' }];
  const g1 = await store.conversations.create({ type: 'general', context: null, title: 'G1', metadata: {}, createdBy: IDS.u1, participants: members });
  await setConversation(g1.id, '2029-12-20T00:00:00.000Z');
  await send(g1.id, IDS.u2, '2029-12-31T23:59:59.999Z');
  const m1 = await send(g1.id, IDS.u1, '2030-01-06T10:00:00.000Z');
  await store.conversations.markDelivered(g1.id, IDS.u2, 2);
  await setDelivered(m1, '2030-01-06T10:00:01.500Z');
  const m2 = await send(g1.id, IDS.u2, '2030-01-07T09:00:00.000Z');
  await store.conversations.markRead(g1.id, IDS.u1, 3);
  await setDelivered(m2, '2030-01-07T09:00:04.000Z');
  await send(g1.id, IDS.u1, '2030-01-07T09:30:00.000Z');
  await send(g1.id, IDS.u2, '2030-01-15T00:00:00.000Z');

  const g2 = await store.conversations.create({ type: 'direct', context: null, title: null, status: 'closed', metadata: {}, createdBy: IDS.u1, participants: members });
  await setConversation(g2.id, '2030-01-02T00:00:00.000Z');
  const g3 = await store.conversations.create({ type: 'trip', context: null, title: 'G3', metadata: {}, createdBy: IDS.u1, participants: [{ userId: IDS.u1, role: 'driver' }] });
  await setConversation(g3.id, '2030-01-20T00:00:00.000Z');

  const openCase = async (requester: string, queue: string, at: string) => {
    const { conversation, message } = await store.cases.open(
      { type: 'support', context: null, title: 'Help', metadata: {}, createdBy: requester, participants: [{ userId: requester, role: 'requester' }] },
      { queue, priority: 'medium', category: null, subject: 'Help', requesterId: requester },
      { senderId: requester, kind: 'text', content: 'help please' },
    );
    await setConversation(conversation.id, at);
    await db.updateTable('support_cases').set({ created_at: at }).where('conversation_id', '=', conversation.id).execute();
    await setMessage(message, at);
    return conversation.id;
  };
  const accept = async (caseId: string, agentId: string, at: string) => {
    const change = await store.cases.assign(caseId, agentId, 'accepted', { from: ['waiting'], onlyUnassigned: true, note: note('accepted', 'accepted') });
    await setMessage(change!.note, at);
  };
  const resolve = async (caseId: string, at: string) => {
    const change = await store.cases.transition(caseId, ['active'], 'resolved', 'resolved_at', { note: note('resolved', 'resolved') });
    await setMessage(change!.note, at);
    await db.updateTable('support_cases').set({ resolved_at: at }).where('conversation_id', '=', caseId).execute();
  };

  const s1 = await openCase(IDS.c1, 'general_support', '2030-01-02T08:00:00.000Z');
  await accept(s1, IDS.a1, '2030-01-02T08:01:00.000Z');
  await send(s1, IDS.a1, '2030-01-02T08:05:00.000Z');
  await store.conversations.markDelivered(s1, IDS.c1, 3);
  await db.updateTable('message_deliveries').set({ first_delivered_at: '2030-01-02T08:05:00.250Z' }).where('conversation_id', '=', s1).execute();
  await resolve(s1, '2030-01-02T09:00:00.000Z');
  const reopened = await store.cases.transition(s1, ['resolved'], 'active', null, { conversationStatus: 'active', note: note('Case reopened by customer-1', 'reopened') });
  await setMessage(reopened!.note, '2030-01-03T10:00:00.000Z');
  await store.conversations.addParticipant(s1, IDS.a2, 'agent');
  await send(s1, IDS.a2, '2030-01-03T10:02:00.000Z');
  await send(s1, IDS.c1, '2030-01-03T10:03:00.000Z');
  await resolve(s1, '2030-01-03T12:00:00.000Z');
  await store.cases.rate(s1, 4, null);

  const s2 = await openCase(IDS.c2, 'billing', '2030-01-08T12:00:00.000Z');
  await accept(s2, IDS.a1, '2030-01-08T12:00:10.000Z');
  await send(s2, IDS.a1, '2030-01-08T12:00:30.000Z', 'bot');
  await send(s2, IDS.a1, '2030-01-08T12:10:00.000Z');
  await resolve(s2, '2030-01-08T13:00:00.000Z');
  await store.cases.rate(s2, 2, 'slow');

  const s3 = await openCase(IDS.c1, 'general_support', '2030-01-10T00:00:00.000Z');
  return { s1, s2, s3, g1: g1.id };
}
