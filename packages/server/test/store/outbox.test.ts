import { describe, expect, it } from 'vitest';
import type { Job, Store } from '../../src/storage/store.js';
import { DIALECT_TRAITS, dialects } from '../support/test-stores.js';
import { buildConversation, buildMessage, createConversation, createUser } from './factories.js';
import { expectAppError, range, useTestStore, warmUp } from './use-test-store.js';

const UNKNOWN_CONVERSATION = '00000000-0000-0000-0000-000000000000';
const LEASE_MS = 60_000;

/** An instant `ms` after `from`. */
const later = (from: Date, ms: number): Date => new Date(from.getTime() + ms);

/** Claims in batches until nothing is due, as a runner does; every job it was handed, in order. */
async function claimAll(store: Store, at: Date, batch: number): Promise<Job[]> {
  const claimed: Job[] = [];
  for (;;) {
    const jobs = await store.outbox.claimDue(batch, LEASE_MS, at);
    if (jobs.length === 0) return claimed;
    claimed.push(...jobs);
  }
}

for (const dialect of dialects) {
  describe(`outbox on ${dialect}`, () => {
    const t = useTestStore(dialect);

    async function conversationWith() {
      const ana = await createUser(t.store);
      const conversation = await createConversation(t.store, [ana]);
      return { ana, conversation };
    }

    describe('jobs written by an append', () => {
      it('writes one job per kind, keyed by the message, due when the message was written', async () => {
        const { ana, conversation } = await conversationWith();
        const { message } = await t.store.messages.append(buildMessage(conversation.id, ana.id, { jobs: ['support.first_response', 'webhook.message'] }));
        for (const kind of ['support.first_response', 'webhook.message']) {
          expect(await t.store.outbox.byId(`${message.id}:${kind}`)).toEqual({
            id: `${message.id}:${kind}`,
            kind,
            subjectId: message.id,
            payload: {},
            runAt: message.createdAt,
            attempts: 0,
            lockedUntil: null,
            lastError: null,
            createdAt: message.createdAt,
            completedAt: null,
            failedAt: null,
          });
        }
        expect(await t.countRows('jobs')).toBe(2);
      });

      it('writes no job for an append that names none', async () => {
        const { ana, conversation } = await conversationWith();
        await t.store.messages.append(buildMessage(conversation.id, ana.id));
        await t.store.messages.append(buildMessage(conversation.id, ana.id, { jobs: [] }));
        expect(await t.countRows('jobs')).toBe(0);
      });

      it('writes no second job when a client id is retried', async () => {
        const { ana, conversation } = await conversationWith();
        const first = await t.store.messages.append(buildMessage(conversation.id, ana.id, { clientId: 'retry-me', jobs: ['support.first_response'] }));
        const again = await t.store.messages.append(buildMessage(conversation.id, ana.id, { clientId: 'retry-me', jobs: ['support.first_response'] }));
        expect(again.created).toBe(false);
        expect(await t.countRows('jobs')).toBe(1);
        expect((await t.store.outbox.byId(`${first.message.id}:support.first_response`))?.subjectId).toBe(first.message.id);
      });

      it('writes exactly one job when 20 concurrent appends share a client id', async () => {
        const { ana, conversation } = await conversationWith();
        await warmUp(t.store);
        const results = await Promise.all(range(1, 20).map(() => t.store.messages.append(buildMessage(conversation.id, ana.id, { clientId: 'double-tap', jobs: ['support.first_response'] }))));
        const winner = results.find((r) => r.created)!;
        expect(await t.countRows('jobs')).toBe(1);
        expect(await t.store.outbox.byId(`${winner.message.id}:support.first_response`)).toBeDefined();
      });

      it('rolls the jobs back with an append that fails', async () => {
        const ana = await createUser(t.store);
        await expectAppError(t.store.messages.append(buildMessage(UNKNOWN_CONVERSATION, ana.id, { jobs: ['support.first_response'] })), 'conversation_not_found');
        expect(await t.countRows('jobs')).toBe(0);
      });

      it('keeps the jobs of the appends that commit when another append of their group fails', async () => {
        const { ana, conversation } = await conversationWith();
        await warmUp(t.store);
        // Submitted in one turn, so on SQLite they share one transaction that has to be redone.
        const settled = await Promise.allSettled(
          range(1, 8).map((i) => t.store.messages.append(buildMessage(i === 4 ? UNKNOWN_CONVERSATION : conversation.id, ana.id, { jobs: ['support.first_response'] }))),
        );
        const committed = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.message.id] : []));
        expect(committed).toHaveLength(7);
        expect(await t.countRows('jobs')).toBe(7);
        for (const id of committed) expect(await t.store.outbox.byId(`${id}:support.first_response`)).toBeDefined();
      });

      it('rolls the jobs of a first message back with the conversation that could not be created', async () => {
        const ana = await createUser(t.store);
        const context = { type: 'ticket', id: 'T-1' };
        await t.store.conversations.create(buildConversation({ context }));
        const duplicate = buildConversation({ context, participants: [{ userId: ana.id, role: 'member' }] });
        await expectAppError(t.store.conversations.createWithMessage(duplicate, { senderId: ana.id, kind: 'text', content: 'hi', jobs: ['support.first_response'] }), 'context_taken');
        expect(await t.countRows('jobs')).toBe(0);
      });

      it('writes the jobs of a first message with the conversation that opens with it', async () => {
        const ana = await createUser(t.store);
        const { conversation, message } = await t.store.conversations.createWithMessage(buildConversation({ participants: [{ userId: ana.id, role: 'member' }] }), {
          senderId: ana.id,
          kind: 'text',
          content: 'hi',
          jobs: ['webhook.message'],
          conversationJobs: [{ kind: 'feature.batch', delayMs: 100 }],
        });
        expect((await t.store.outbox.byId(`${message.id}:webhook.message`))?.subjectId).toBe(message.id);
        // The coalesced one is about the conversation it opened, whose id the caller did not know.
        expect((await t.store.outbox.byId(`${conversation.id}:feature.batch`))?.subjectId).toBe(conversation.id);
      });
    });

    describe('enqueue', () => {
      it('writes jobs with their payload and due time, and keeps one row for an id enqueued twice', async () => {
        const runAt = later(new Date(), 5_000).toISOString();
        await t.store.outbox.enqueue([{ id: 'j-1', kind: 'notify', subjectId: 's-1', payload: { to: 'bo' }, runAt }]);
        await t.store.outbox.enqueue([{ id: 'j-1', kind: 'notify', subjectId: 's-1', payload: { to: 'someone else' } }]);
        expect(await t.store.outbox.byId('j-1')).toMatchObject({ kind: 'notify', subjectId: 's-1', payload: { to: 'bo' }, runAt, attempts: 0 });
        expect(await t.countRows('jobs')).toBe(1);
      });
    });

    describe('coalesced jobs', () => {
      const KIND = 'feature.batch';
      const coalesced = (subjectId: string, runAt: Date) => ({ id: `${subjectId}:${KIND}`, kind: KIND, subjectId, runAt: runAt.toISOString(), coalesce: true });

      it('keeps one job per conversation for a burst of appends, due a window after the first', async () => {
        const { ana, conversation } = await conversationWith();
        const appended = [];
        for (let i = 0; i < 3; i++) appended.push((await t.store.messages.append(buildMessage(conversation.id, ana.id, { jobs: ['webhook.message'], conversationJobs: [{ kind: KIND, delayMs: 250 }] }))).message);
        const job = await t.store.outbox.byId(`${conversation.id}:${KIND}`);
        expect(job).toMatchObject({ kind: KIND, subjectId: conversation.id, payload: {}, attempts: 0, completedAt: null });
        expect(job!.runAt).toBe(later(new Date(appended[0]!.createdAt), 250).toISOString());
        // The per-message kinds are one per message, as before.
        expect(await t.countRows('jobs')).toBe(4);
      });

      it('writes no coalesced job for a retried client id', async () => {
        const { ana, conversation } = await conversationWith();
        const send = () => t.store.messages.append(buildMessage(conversation.id, ana.id, { clientId: 'c-1', conversationJobs: [{ kind: KIND, delayMs: 0 }] }));
        await send();
        const [job] = await claimAll(t.store, later(new Date(), 1_000), 10);
        await t.store.outbox.complete(job!.id);
        expect((await send()).created).toBe(false);
        expect(await t.store.outbox.byId(job!.id)).toMatchObject({ completedAt: expect.any(String) });
      });

      it('adds nothing to a coalesced job that is owed and not running', async () => {
        const start = new Date();
        await t.store.outbox.enqueue([coalesced('c-1', later(start, 1_000))]);
        await t.store.outbox.enqueue([coalesced('c-1', later(start, 9_000))]);
        expect(await t.store.outbox.byId(`c-1:${KIND}`)).toMatchObject({ runAt: later(start, 1_000).toISOString(), attempts: 0 });
        expect(await t.countRows('jobs')).toBe(1);
      });

      it('runs a coalesced job again, at once, when it was asked for while it ran', async () => {
        const start = new Date();
        await t.store.outbox.enqueue([coalesced('c-2', start)]);
        const [claimed] = await t.store.outbox.claimDue(10, LEASE_MS, later(start, 1));
        expect(claimed).toMatchObject({ id: `c-2:${KIND}`, attempts: 1 });
        // A change commits while the handler runs: it may have read the subject before it.
        await t.store.outbox.enqueue([coalesced('c-2', later(start, 500))]);
        // Owed again from the due time the change asked for, not at once.
        expect(await t.store.outbox.complete(claimed!.id)).toBe(later(start, 500).toISOString());
        expect(await t.store.outbox.claimDue(10, LEASE_MS, later(start, 499))).toEqual([]);
        const again = await claimAll(t.store, later(start, 500), 10);
        expect(again).toEqual([expect.objectContaining({ id: claimed!.id, attempts: 1, completedAt: null })]);
        // Nothing new while the second run ran: this time it is done.
        expect(await t.store.outbox.complete(claimed!.id)).toBeUndefined();
        expect(await t.store.outbox.byId(claimed!.id)).toMatchObject({ completedAt: expect.any(String) });
        expect(await claimAll(t.store, later(new Date(), 60_000), 10)).toEqual([]);
      });

      it('makes a completed or failed coalesced job owed again from the new due time', async () => {
        const start = new Date();
        await t.store.outbox.enqueue([coalesced('c-3', start), coalesced('c-4', start)]);
        const claimed = await claimAll(t.store, later(start, 1), 10);
        expect(claimed).toHaveLength(2);
        await t.store.outbox.complete(`c-3:${KIND}`);
        await t.store.outbox.fail(`c-4:${KIND}`, 'gave up');
        const next = later(new Date(), 5_000);
        await t.store.outbox.enqueue([coalesced('c-3', next), coalesced('c-4', next)]);
        for (const id of [`c-3:${KIND}`, `c-4:${KIND}`]) expect(await t.store.outbox.byId(id)).toMatchObject({ runAt: next.toISOString(), attempts: 0, completedAt: null, failedAt: null });
        expect(await t.store.outbox.claimDue(10, LEASE_MS, later(next, -1))).toEqual([]);
        expect(await t.store.outbox.claimDue(10, LEASE_MS, next)).toHaveLength(2);
      });
    });

    describe('claimDue', () => {
      it('claims due jobs oldest first, with a lease and one more attempt each', async () => {
        const start = new Date();
        await t.store.outbox.enqueue(range(1, 3).map((i) => ({ id: `j-${i}`, kind: 'k', subjectId: 's', runAt: later(start, -i * 1000).toISOString() })));
        const at = later(start, 1);
        const claimed = await t.store.outbox.claimDue(2, LEASE_MS, at);
        expect(claimed.map((j) => j.id)).toEqual(['j-3', 'j-2']);
        expect(claimed.every((j) => j.attempts === 1 && j.lockedUntil === later(at, LEASE_MS).toISOString())).toBe(true);
        expect((await t.store.outbox.claimDue(10, LEASE_MS, at)).map((j) => j.id)).toEqual(['j-1']);
      });

      it('hands a claimed job to no one while its lease holds, and again once it expires', async () => {
        const start = new Date();
        await t.store.outbox.enqueue([{ id: 'j-1', kind: 'k', subjectId: 's', runAt: start.toISOString() }]);
        expect(await t.store.outbox.claimDue(10, LEASE_MS, start)).toHaveLength(1);
        expect(await t.store.outbox.claimDue(10, LEASE_MS, later(start, LEASE_MS - 1))).toEqual([]);
        // The claimer died without settling it: after the lease anyone may run it again.
        const reclaimed = await t.store.outbox.claimDue(10, LEASE_MS, later(start, LEASE_MS));
        expect(reclaimed).toMatchObject([{ id: 'j-1', attempts: 2, lockedUntil: later(start, 2 * LEASE_MS).toISOString() }]);
      });

      it('leaves a job alone until its run time', async () => {
        const start = new Date();
        await t.store.outbox.enqueue([{ id: 'j-1', kind: 'k', subjectId: 's', runAt: later(start, 1000).toISOString() }]);
        expect(await t.store.outbox.claimDue(10, LEASE_MS, later(start, 999))).toEqual([]);
        expect(await t.store.outbox.claimDue(10, LEASE_MS, later(start, 1000))).toHaveLength(1);
      });

      it('gives every job to exactly one of several concurrent claimers', async () => {
        await t.store.outbox.enqueue(range(1, 120).map((i) => ({ id: `j-${i}`, kind: 'k', subjectId: 's' })));
        await warmUp(t.store);
        const at = later(new Date(), 1);
        const claims = await Promise.all(range(1, 6).map(() => claimAll(t.store, at, 5)));
        const ids = claims.flat().map((j) => j.id);
        expect(ids).toHaveLength(120);
        expect(new Set(ids).size).toBe(120);
      });

      it.runIf(DIALECT_TRAITS[dialect].multiNode)('never hands one job to two nodes claiming at the same time', async () => {
        const peer = await t.openPeer();
        await t.store.outbox.enqueue(range(1, 300).map((i) => ({ id: `j-${i}`, kind: 'k', subjectId: 's' })));
        await Promise.all([warmUp(t.store), warmUp(peer)]);
        const at = later(new Date(), 1);
        const claims = await Promise.all(range(1, 8).map((i) => claimAll(i % 2 === 0 ? t.store : peer, at, 4)));
        const ids = claims.flat().map((j) => j.id);
        expect(ids).toHaveLength(300);
        expect(new Set(ids).size).toBe(300);
        // Both nodes got work: neither waited for the other's locks to clear and found nothing.
        expect(claims.filter((_, i) => i % 2 === 0).flat().length).toBeGreaterThan(0);
        expect(claims.filter((_, i) => i % 2 === 1).flat().length).toBeGreaterThan(0);
      });
    });

    describe('settling a claimed job', () => {
      async function claimedJob(at: Date): Promise<Job> {
        await t.store.outbox.enqueue([{ id: 'j-1', kind: 'k', subjectId: 's', runAt: at.toISOString() }]);
        const [job] = await t.store.outbox.claimDue(1, LEASE_MS, at);
        return job!;
      }

      it('never claims a completed job again', async () => {
        const start = new Date();
        await claimedJob(start);
        await t.store.outbox.complete('j-1');
        const job = (await t.store.outbox.byId('j-1'))!;
        expect(job.completedAt).not.toBeNull();
        expect(job).toMatchObject({ lockedUntil: null, attempts: 1, failedAt: null });
        expect(await t.store.outbox.claimDue(10, LEASE_MS, later(start, 10 * LEASE_MS))).toEqual([]);
        expect(await t.store.outbox.counts()).toEqual({ pending: 0, failed: 0 });
      });

      it('makes a job retried later due again at the time it was given, not before, keeping the error', async () => {
        const start = new Date();
        await claimedJob(start);
        const retryAt = later(start, 4_000);
        await t.store.outbox.retryLater('j-1', retryAt.toISOString(), 'smtp timed out');
        expect(await t.store.outbox.byId('j-1')).toMatchObject({ runAt: retryAt.toISOString(), lockedUntil: null, lastError: 'smtp timed out', attempts: 1 });
        expect(await t.store.outbox.claimDue(10, LEASE_MS, later(retryAt, -1))).toEqual([]);
        expect(await t.store.outbox.claimDue(10, LEASE_MS, retryAt)).toMatchObject([{ id: 'j-1', attempts: 2, lastError: 'smtp timed out' }]);
        expect(await t.store.outbox.counts()).toEqual({ pending: 1, failed: 0 });
      });

      it('keeps a failed job as a dead letter that is never claimed again', async () => {
        const start = new Date();
        await claimedJob(start);
        await t.store.outbox.fail('j-1', 'gave up');
        const job = (await t.store.outbox.byId('j-1'))!;
        expect(job.failedAt).not.toBeNull();
        expect(job).toMatchObject({ lastError: 'gave up', lockedUntil: null, completedAt: null });
        expect(await t.store.outbox.claimDue(10, LEASE_MS, later(start, 10 * LEASE_MS))).toEqual([]);
        expect(await t.store.outbox.counts()).toEqual({ pending: 0, failed: 1 });
      });

      it('ignores a late report about a job already settled', async () => {
        const start = new Date();
        await claimedJob(start);
        await t.store.outbox.complete('j-1');
        await t.store.outbox.retryLater('j-1', later(start, 1000).toISOString(), 'a slow node’s failure');
        await t.store.outbox.fail('j-1', 'a slow node’s failure');
        expect(await t.store.outbox.byId('j-1')).toMatchObject({ lastError: null, failedAt: null, runAt: start.toISOString() });
      });
    });
  });
}
