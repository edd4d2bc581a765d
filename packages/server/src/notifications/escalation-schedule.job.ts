import type { MessageJob } from '../jobs/message-job.js';
import { topics } from '../bus/domain-event.js';
import { timeOrderedId } from '../storage/time-ordered-id.js';
import { DEFAULT_SETTINGS } from './notification-preferences.js';
import type { NotificationDeps } from './notification-deps.js';
import type { NotificationChannelName } from '../storage/store.js';

export const SCHEDULE_JOB = 'notifications.schedule';

/**
 * Written with every message a person sent: after the commit it adds the message to each other
 * participant's open batch for the conversation (their feed entry), or opens one and writes
 * the job of its first escalation step, due at the step's delay, in the same transaction.
 * Recipients who have read it already, or who muted the conversation (with no emergency step),
 * get nothing; steps on channels that cannot reach the recipient (no push subscription, no email
 * address, a channel not configured) are left out of the batch. Idempotent: a message already in a batch does not count twice.
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
        const planned = plan.stepsFor(conversation, queue, muted);
        if (planned.length === 0) continue;
        // Steps no channel could carry to this person are left out: the feed entry is all they get.
        const reachable = await reachableChannels(deps, participant.userId);
        const steps = planned.filter((step) => reachable.has(step.channel));
        const { notification } = await store.notifications.addToBatch(
          { newId: timeOrderedId(), userId: participant.userId, conversationId: conversation.id, seq: message.seq, messageId: message.id, createdAt: message.createdAt, steps },
          (id) => plan.stepJob({ id, steps, firstMessageAt: message.createdAt }, 0, settings),
        );
        await deps.publisher.publish(topics.user(participant.userId), { type: 'notification.updated', userId: participant.userId, notification });
      }
    },
  };
}

/** The channels that could reach the user now: configured, and with an address or a subscription. */
async function reachableChannels(deps: NotificationDeps, userId: string): Promise<Set<NotificationChannelName>> {
  const reachable = new Set<NotificationChannelName>();
  for (const [name, channel] of deps.channels) if (await channel.canReach(userId)) reachable.add(name);
  return reachable;
}
