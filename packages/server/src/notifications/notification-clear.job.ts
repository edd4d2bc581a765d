import type { NewJob } from '../storage/store.js';
import type { JobHandler } from '../jobs/job-handler.js';
import { topics } from '../bus/domain-event.js';
import type { NotificationDeps } from './notification-deps.js';

export const CLEAR_JOB = 'notifications.read';

/**
 * The job a read pointer's move owes, written in the move's transaction: coalesced per (user,
 * conversation), since its run reads the pointer as it is then, so a reader moving through a
 * busy conversation costs one run per window, not one per move.
 */
export function clearJobFor(conversationId: string, userId: string): NewJob {
  return { id: `${conversationId}:${userId}:${CLEAR_JOB}`, kind: CLEAR_JOB, subjectId: conversationId, payload: { user_id: userId }, coalesce: true };
}

/**
 * The user read a conversation (on any device): the feed entries it covers are read, their
 * batches end (no later step fires), and if a push about them went out, a silent "clear" push
 * tells the user's other devices to take the notice down.
 */
export function notificationClearJob(deps: NotificationDeps): JobHandler {
  return async (job) => {
    const { user_id: userId } = job.payload as { user_id: string };
    const conversationId = job.subjectId;
    // The pointer as it is now, not as the read asked: entries it does not cover stay unread.
    const seq = (await deps.store.conversations.participant(conversationId, userId))?.lastReadSeq ?? 0;
    // The clear goes first: a crash after it repeats a harmless clear, never loses one.
    const covered = (await deps.store.notifications.list(userId, { unread: true, limit: 100 })).filter((n) => n.conversationId === conversationId && n.toSeq <= seq);
    if (covered.length === 0) return;
    const pushedAbout = new Set((await deps.store.notifications.deliveries(userId, conversationId)).filter((d) => d.channel === 'push' && d.outcome === 'sent').map((d) => d.notificationId));
    const pushed = covered.filter((n) => pushedAbout.has(n.id)).map((n) => n.id);
    if (pushed.length > 0) await deps.push.clear(userId, conversationId, pushed);
    const read = await deps.store.notifications.readThrough(userId, conversationId, seq, new Date(deps.now()).toISOString());
    for (const notification of read) await deps.publisher.publish(topics.user(userId), { type: 'notification.updated', userId, notification });
  };
}
