import type { MessageJob } from '../jobs/message-job.js';
import { topics } from '../bus/domain-event.js';
import { timeOrderedId } from '../storage/time-ordered-id.js';
import { DEFAULT_SETTINGS } from './notification-preferences.js';
import type { NotificationDeps } from './notification-deps.js';

export const SCHEDULE_JOB = 'notifications.schedule';

/**
 * Written with every message a person sent: after the commit it adds the message to each other
 * participant's open batch for the conversation (their feed entry), or opens one and writes
 * the job of its first escalation step, due at the step's delay, in the same transaction.
 * Recipients who have read it already, or who muted the conversation (with no emergency step),
 * get nothing. Idempotent: a message already in a batch does not count twice.
 */
export function escalationScheduleJob(deps: NotificationDeps): MessageJob {
  const { store, plan } = deps;
  return {
    kind: SCHEDULE_JOB,
    needs: (_conversation, message) => message.kind !== 'system',
    async handle(job) {
      const message = await store.messages.byId(job.subjectId);
      // Deleted, hidden or shadow-banned: nobody else is meant to see it.
      if (!message || message.deletedAt !== null || message.hidden || message.shadowed || message.senderId === null) return;
      const conversation = await store.conversations.byId(message.conversationId);
      if (!conversation) return;
      const queue = conversation.type === 'support' ? (await store.cases.byConversation(conversation.id))?.queue : undefined;
      const recipients = (await store.conversations.participants(conversation.id)).filter((p) => p.userId !== message.senderId && p.leftAt === null && p.lastReadSeq < message.seq);
      for (const participant of recipients) {
        const settings = (await store.notifications.settings(participant.userId)) ?? DEFAULT_SETTINGS;
        const muted = participant.muted || settings.mutedConversations.includes(conversation.id);
        const steps = plan.stepsFor(conversation, queue, muted);
        if (steps.length === 0) continue;
        const { notification } = await store.notifications.addToBatch(
          { newId: timeOrderedId(), userId: participant.userId, conversationId: conversation.id, seq: message.seq, messageId: message.id, createdAt: message.createdAt, steps },
          (id) => plan.stepJob({ id, steps, firstMessageAt: message.createdAt }, 0, settings)!,
        );
        await deps.publisher.publish(topics.user(participant.userId), { type: 'notification.updated', userId: participant.userId, notification });
      }
    },
  };
}
