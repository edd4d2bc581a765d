import type { JobHandler } from '../jobs/job-handler.js';
import type { Message, Participant } from '../core/model.js';
import type { EscalationStep, Notification, NotificationDelivery } from '../storage/store.js';
import type { ChannelOutcome, MissedMessage } from './notification-channel.js';
import { DEFAULT_SETTINGS, stepBlockedBy } from './notification-preferences.js';
import { conversationLink, type NotificationDeps } from './notification-deps.js';

/** Most messages one notification lists; the link opens the rest. */
const MAX_LISTED = 20;

/**
 * Fires one escalation step of a batch, when it falls due. The step fires only if the
 * recipient's pointer named by its `until` (delivered or read) is still behind the batch's
 * newest message; a recipient who caught up (came online in that conversation, or read it)
 * ends the batch, and no later step fires. Otherwise their preferences may skip this step, or
 * the channel sends it. The outcome and the next step's job (or the batch's end) are written
 * in one transaction; a step found recorded already (a re-run after a crash) sends nothing.
 */
export function escalationStepJob(deps: NotificationDeps): JobHandler {
  const { store } = deps;
  return async (job) => {
    const index = Number((job.payload as { step?: number }).step ?? 0);
    const notification = await store.notifications.byId(job.subjectId);
    const step = notification?.steps[index];
    if (!notification || !step || (await store.notifications.delivery(job.id))) return;
    const record = (outcome: ChannelOutcome, close: boolean) => settle(deps, job.id, notification, index, step, outcome, close);
    if (notification.readAt !== null) return record({ outcome: 'skipped', reason: 'read' }, true);
    const participant = await store.conversations.participant(notification.conversationId, notification.userId);
    if (!participant || participant.leftAt !== null) return record({ outcome: 'skipped', reason: 'left' }, true);
    const pointer = step.until === 'read' ? participant.lastReadSeq : participant.lastDeliveredSeq;
    if (pointer >= notification.toSeq) return record({ outcome: 'skipped', reason: 'caught_up' }, true);
    const settings = (await store.notifications.settings(notification.userId)) ?? DEFAULT_SETTINGS;
    const blocked = stepBlockedBy(step, settings, notification.conversationId, new Date(deps.now()));
    if (blocked !== undefined) return record({ outcome: 'skipped', reason: blocked }, false);
    const [user, conversation, messages] = await Promise.all([store.users.byId(notification.userId), store.conversations.byId(notification.conversationId), missedMessages(deps, notification, participant, pointer)]);
    if (!user || user.disabled || !conversation) return record({ outcome: 'skipped', reason: 'gone' }, true);
    const channel = deps.channels.get(step.channel)!;
    let outcome: ChannelOutcome;
    try {
      outcome = await channel.deliver({ key: job.id, user, conversation, notification, step, stepIndex: index, messages, link: conversationLink(deps.publicUrl, conversation.id) });
    } catch (error) {
      deps.outcome(step.channel, 'failed', index);
      throw error;
    }
    return record(outcome, false);
  };
}

/** The messages of the batch the recipient has not reached yet, oldest first, with sender names. */
async function missedMessages(deps: NotificationDeps, notification: Notification, participant: Participant, pointer: number): Promise<MissedMessage[]> {
  const { messages } = await deps.store.messages.page({ conversationId: notification.conversationId, afterSeq: pointer, limit: MAX_LISTED * 2 });
  const shown = messages
    .filter((m: Message) => m.seq <= notification.toSeq && m.senderId !== null && m.senderId !== participant.userId && m.deletedAt === null && !m.hidden && !m.shadowed)
    .slice(-MAX_LISTED);
  const senders = new Map((await deps.store.users.byIds([...new Set(shown.map((m) => m.senderId!))])).map((u) => [u.id, u.displayName]));
  return shown.map((message) => ({ message, senderName: senders.get(message.senderId!) ?? message.senderId! }));
}

/** Records the step and writes the next one's job, or ends the batch. */
async function settle(deps: NotificationDeps, jobId: string, notification: Notification, index: number, step: EscalationStep, outcome: ChannelOutcome, close: boolean): Promise<void> {
  const settings = (await deps.store.notifications.settings(notification.userId)) ?? DEFAULT_SETTINGS;
  const next = close ? undefined : deps.plan.stepJob(notification, index + 1, settings);
  const at = deps.now();
  const delivery: NotificationDelivery = {
    id: jobId,
    notificationId: notification.id,
    userId: notification.userId,
    conversationId: notification.conversationId,
    step: index,
    channel: step.channel,
    outcome: outcome.outcome,
    reason: outcome.outcome === 'skipped' ? outcome.reason : null,
    toSeq: notification.toSeq,
    createdAt: new Date(at).toISOString(),
  };
  await deps.store.notifications.recordStep(delivery, { ...(next && { job: next }), close: next === undefined });
  deps.outcome(step.channel, outcome.outcome, index, outcome.outcome === 'sent' ? at - Date.parse(notification.firstMessageAt) : undefined);
}
