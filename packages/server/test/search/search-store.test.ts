import { describe, expect, it } from 'vitest';
import type { Message, User } from '../../src/core/model.js';
import { normaliseForSearch } from '../../src/search/search-text.js';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { KyselySearchRepository } from '../../src/storage/kysely/search.repository.js';
import type { MessageSearchQuery, ReadScope, SearchRepository, Store } from '../../src/storage/store.js';
import { dialects } from '../support/test-stores.js';
import { createConversation, createUser } from '../store/factories.js';
import { expectAppError, nextInstant, useTestStore } from '../store/use-test-store.js';

/** The messages of the corpus, in the four languages the users write. */
const CORPUS = {
  amharic: 'አውቶቡሱ ከአዲስ አበባ ተነስቷል።',
  russian: 'Автобус выехал из Алматы в 9:00',
  kazakh: 'Автобус Алматыдан шықты',
  english: 'The departure was delayed by roadworks',
  yo: 'Ёлки у въезда в депо',
  homophone: 'ሠላም ለሁላችሁ',
} as const;

/**
 * Every dialect, and on SQLite both query plans: small scopes read row by row (the default for
 * the little data here) and everything through the FTS5 index (as large scopes go).
 */
const cases = dialects.flatMap((dialect) => (dialect === 'sqlite' ? [[dialect, 'chosen plan'], [dialect, 'index only']] : [[dialect, 'chosen plan']]) as [typeof dialect, string][]);

describe.each(cases)('search store on %s, %s', (dialect, plan) => {
  const handle = useTestStore(dialect);
  const store = (): Store => handle.store;
  const searcher = (): SearchRepository => (plan === 'index only' ? new KyselySearchRepository((handle.store as KyselyStore).adapter, { scanAtMost: -1 }) : store().search);

  const search = async (text: string, scope: ReadScope, extra: Partial<MessageSearchQuery> = {}) =>
    (await searcher().messages({ text: normaliseForSearch(text), scope, viewerId: scope.kind === 'member' ? scope.userId : undefined, limit: 50, ...extra })).map((h) => h.message.content);
  const memberOf = (user: User): ReadScope => ({ kind: 'member', userId: user.id, supportQueues: [] });
  const send = async (conversationId: string, sender: User, content: string, extra: { shadowed?: boolean } = {}): Promise<Message> =>
    (await store().messages.append({ conversationId, senderId: sender.id, kind: 'text', content, ...extra })).message;

  async function corpusRoom() {
    const [ana, ben] = [await createUser(store()), await createUser(store())];
    const room = await createConversation(store(), [ana, ben]);
    const sent: Record<string, Message> = {};
    for (const [key, content] of Object.entries(CORPUS)) sent[key] = await send(room.id, ana, content);
    return { ana, ben, room, sent };
  }

  it('finds Amharic, Russian, Kazakh and English text by any part of a word', async () => {
    const { ben } = await corpusRoom();
    const scope = memberOf(ben);
    expect(await search('አዲስ', scope)).toEqual([CORPUS.amharic]);
    expect(await search('алматы', scope)).toEqual([CORPUS.kazakh, CORPUS.russian]);
    expect(await search('АЛМАТЫДАН', scope)).toEqual([CORPUS.kazakh]);
    expect(await search('шық', scope)).toEqual([CORPUS.kazakh]);
    expect(await search('DELAY', scope)).toEqual([CORPUS.english]);
    expect(await search('елки', scope)).toEqual([CORPUS.yo]);
    expect(await search('ሰላም', scope)).toEqual([CORPUS.homophone]);
    expect(await search('ተነስቷል፡', scope)).toEqual([CORPUS.amharic]);
    expect(await search('tram', scope)).toEqual([]);
  });

  it('treats the query as text, not as the index’s query language or a LIKE pattern', async () => {
    const { ana, room } = await corpusRoom();
    await send(room.id, ana, 'discount 100% off_today "quoted" a\\b');
    const scope = memberOf(ana);
    expect(await search('0% o', scope)).toEqual(['discount 100% off_today "quoted" a\\b']);
    expect(await search('"quoted"', scope)).toHaveLength(1);
    expect(await search('f_t', scope)).toHaveLength(1);
    expect(await search('%%%', scope)).toEqual([]);
    expect(await search('___', scope)).toEqual([]);
    expect(await search('a\\b', scope)).toHaveLength(1);
    expect(await search('OR NOT', scope)).toEqual([]);
  });

  it('finds nothing of a conversation for someone who is not in it', async () => {
    await corpusRoom();
    const stranger = await createUser(store());
    expect(await search('алматы', memberOf(stranger))).toEqual([]);
    expect(await search('алматы', { kind: 'all' })).toHaveLength(2);
  });

  it('forgets a participant who left', async () => {
    const { ben, room } = await corpusRoom();
    await store().conversations.removeParticipant(room.id, ben.id);
    expect(await search('алматы', memberOf(ben))).toEqual([]);
  });

  it('finds the cases of the support queues in the scope, and no other queue’s', async () => {
    const [requester, agent] = [await createUser(store()), await createUser(store())];
    const { conversation } = await store().cases.open(
      { type: 'support', context: null, title: 'help', metadata: {}, createdBy: requester.id, participants: [{ userId: requester.id, role: 'member' }] },
      { queue: 'dispatch', priority: 'medium', category: null, subject: 'help', requesterId: requester.id },
      { senderId: requester.id, kind: 'text', content: 'the bus from Алматы broke down' },
    );
    expect(conversation.type).toBe('support');
    expect(await search('алматы', { kind: 'member', userId: agent.id, supportQueues: ['dispatch'] })).toEqual(['the bus from Алматы broke down']);
    expect(await search('алматы', { kind: 'member', userId: agent.id, supportQueues: ['billing'] })).toEqual([]);
  });

  it('re-indexes an edit: the new text is found, the old one no longer', async () => {
    const { ben, sent } = await corpusRoom();
    await store().messages.update(sent.english!.id, { content: 'Boarding at gate seven', editedAt: new Date().toISOString() });
    expect(await search('delayed', memberOf(ben))).toEqual([]);
    expect(await search('gate sev', memberOf(ben))).toEqual(['Boarding at gate seven']);
  });

  it('never finds hidden messages, and finds them again once unhidden', async () => {
    const { ana, ben, sent } = await corpusRoom();
    await store().messages.update(sent.kazakh!.id, { hidden: true });
    expect(await search('алматы', memberOf(ben))).toEqual([CORPUS.russian]);
    expect(await search('алматы', { kind: 'all' })).toEqual([CORPUS.russian]);
    await store().moderation.actOnMessage({ messageId: sent.russian!.id, patch: { hidden: true }, by: null, audit: { actorId: null, action: 'hide', targetType: 'message', targetId: sent.russian!.id, reason: 'test', params: {} } });
    expect(await search('алматы', memberOf(ana))).toEqual([]);
    await store().messages.update(sent.kazakh!.id, { hidden: false });
    expect(await search('алматы', memberOf(ben))).toEqual([CORPUS.kazakh]);
  });

  it('never finds deleted messages', async () => {
    const { ben, sent } = await corpusRoom();
    await store().messages.update(sent.amharic!.id, { content: '', deletedAt: new Date().toISOString() });
    await store().moderation.actOnMessage({ messageId: sent.english!.id, patch: { content: '', deletedAt: new Date().toISOString() }, by: null, audit: { actorId: null, action: 'delete', targetType: 'message', targetId: sent.english!.id, reason: null, params: {} } });
    expect(await search('አዲስ', memberOf(ben))).toEqual([]);
    expect(await search('delay', memberOf(ben))).toEqual([]);
  });

  it('finds a shadowed message for its sender only', async () => {
    const { ana, ben, room } = await corpusRoom();
    await send(room.id, ana, 'shadowed words here', { shadowed: true });
    expect(await search('shadowed', memberOf(ana))).toEqual(['shadowed words here']);
    expect(await search('shadowed', memberOf(ben))).toEqual([]);
    expect(await search('shadowed', { kind: 'all' })).toEqual([]);
  });

  it('forgets the messages of a deleted conversation', async () => {
    const { ben, room } = await corpusRoom();
    await (store() as unknown as { adapter: { db: import('kysely').Kysely<import('../../src/storage/database.js').Database> } }).adapter.db.deleteFrom('conversations').where('id', '=', room.id).execute();
    expect(await search('алматы', memberOf(ben))).toEqual([]);
    expect(await search('алматы', { kind: 'all' })).toEqual([]);
  });

  it('pages newest first by cursor, and filters by conversation, sender, context type and time', async () => {
    const [ana, ben] = [await createUser(store()), await createUser(store())];
    const trip = await createConversation(store(), [ana, ben], { type: 'trip', context: { type: 'trip', id: 't-1' } });
    const other = await createConversation(store(), [ana, ben]);
    const sent: Message[] = [];
    for (let i = 1; i <= 5; i++) {
      sent.push(await send(i % 2 ? trip.id : other.id, i <= 3 ? ana : ben, `stop number ${i}`));
      await nextInstant();
    }
    const scope = memberOf(ana);
    const hits = (extra: Partial<MessageSearchQuery>) => searcher().messages({ text: 'stop', scope, viewerId: ana.id, limit: 2, ...extra });
    const first = await hits({});
    expect(first.map((h) => h.message.content)).toEqual(['stop number 5', 'stop number 4']);
    const second = await hits({ cursor: first[1]!.position });
    expect(second.map((h) => h.message.content)).toEqual(['stop number 3', 'stop number 2']);
    const third = await hits({ cursor: second[1]!.position });
    expect(third.map((h) => h.message.content)).toEqual(['stop number 1']);

    expect(await search('stop', scope, { conversationId: other.id })).toEqual(['stop number 4', 'stop number 2']);
    expect(await search('stop', scope, { senderId: ben.id })).toEqual(['stop number 5', 'stop number 4']);
    expect(await search('stop', scope, { contextType: 'trip' })).toEqual(['stop number 5', 'stop number 3', 'stop number 1']);
    expect(await search('stop', scope, { before: sent[2]!.createdAt, after: sent[0]!.createdAt })).toEqual(['stop number 2']);
    await expectAppError(hits({ cursor: 'not a position' }), 'validation_failed');
  });
});
