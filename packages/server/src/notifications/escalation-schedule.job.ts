import type { JobHandler } from '../jobs/job-handler.js';
import type { MessageJob } from '../jobs/message-job.js';
import { RetryIn } from '../jobs/retry-in.js';
import { topics } from '../bus/domain-event.js';
import type { Conversation, MessageHeader, Participant } from '../core/model.js';
import { timeOrderedId } from '../storage/time-ordered-id.js';
import type { BatchEntry, NotificationChannelName, NotificationSettings } from '../storage/store.js';
import { DEFAULT_SETTINGS } from './notification-preferences.js';
import type { NotificationDeps } from './notification-deps.js';

export const SCHEDULE_JOB = 'notifications.batch';
/** The kind written once per message before schedules were coalesced; its jobs may still be owed. */
export const LEGACY_SCHEDULE_JOB = 'notifications.schedule';

/** Messages read per round of a run; a run goes on while there are more. */
const PAGE = 200;
/** Rounds in one run: past this the job is due again at once and the next run goes on. */
const MAX_ROUNDS = 10;

/**
 * The escalation scheduler, one coalesced job per conversation: each run reads the messages
 * past the conversation's schedule cursor and, for each other participant who has not read
 * them, adds them to that person's open batch (their feed entry), or opens one and writes the
 * job of its first escalation step, due at the step's delay; the cursor moves in the same
 * transaction. Recipients who muted the conversation (with no emergency step) get nothing;
 * steps on channels that cannot reach the recipient (no push subscription, no email address,
 * a channel not configured) are left out of the batch. A run that finds the cursor moved by
 * another writes nothing, so messages count once however often runs repeat.
 */
export function escalationScheduleJob(deps: NotificationDeps): MessageJob {
  return {
    kind: SCHEDULE_JOB,
    // The first message of a quiet moment waits for the ones after it (see scheduleWindowMs).
    coalesce: { delayMs: (conversation) => deps.plan.scheduleWindowMs(conversation) },
    needs: (_conversation, message) => message.kind !== 'system',
    handle: (job) => scheduleConversation(deps, job.subjectId),
  };
}

/** Runs the jobs of the per-message kind still owed from before: each schedules its message's conversation. */
export function legacyScheduleJob(deps: NotificationDeps): JobHandler {
  return async (job) => {
    const message = await deps.store.messages.byId(job.subjectId);
    if (message) await scheduleConversation(deps, message.conversationId);
  };
}

async function scheduleConversation(deps: NotificationDeps, conversationId: string): Promise<void> {
  const { store } = deps;
  const conversation = await store.conversations.byId(conversationId);
  if (!conversation) return;
  const queue = conversation.type === 'support' ? (await store.cases.byConversation(conversation.id))?.queue : undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const from = await store.notifications.scheduledThrough(conversationId);
    const { headers: messages, hasMore } = await store.messages.headersAfter(conversationId, from, PAGE);
    const last = messages[messages.length - 1];
    if (!last) return;
    const participants = await store.conversations.participants(conversationId);
    const { entries, settings } = await batchEntries(deps, conversation, queue, participants, messages.filter(notifiable));
    const written = await store.notifications.scheduleBatches(conversationId, { from, through: last.seq }, entries, (entry, id) =>
      deps.plan.stepJob({ id, steps: entry.steps, firstMessageAt: entry.firstMessageAt }, 0, settings.get(entry.userId) ?? DEFAULT_SETTINGS),
    );
    // Another run read these messages first; it scheduled them.
    if (!written) return;
    for (const { notification } of written) await deps.publisher.publish(topics.user(notification.userId), { type: 'notification.updated', userId: notification.userId, notification });
    if (!hasMore) return;
  }
  // A long backlog: the rest goes to the next run rather than holding this slot.
  throw new RetryIn(0, 'more messages to schedule than one run reads; the next run goes on');
}

/** Deleted, hidden, shadow-banned and system messages notify nobody. */
const notifiable = (m: MessageHeader) => m.kind !== 'system' && m.senderId !== null && m.deletedAt === null && !m.hidden && !m.shadowed;

/** Each recipient's share of `messages` (those from others that they have not read), and the recipients' saved settings. */
async function batchEntries(
  deps: NotificationDeps,
  conversation: Conversation,
  queue: string | undefined,
  participants: readonly Participant[],
  messages: readonly MessageHeader[],
): Promise<{ entries: BatchEntry[]; settings: Map<string, NotificationSettings> }> {
  const shares = participants
    .filter((p) => p.leftAt === null)
    .map((participant) => ({ participant, unread: messages.filter((m) => m.senderId !== participant.userId && m.seq > participant.lastReadSeq) }))
    .filter((share) => share.unread.length > 0);
  if (shares.length === 0) return { entries: [], settings: new Map() };
  const userIds = shares.map((s) => s.participant.userId);
  const [settings, reachable] = await Promise.all([deps.store.notifications.settingsOf(userIds), reachableChannels(deps, userIds)]);
  const entries: BatchEntry[] = [];
  for (const { participant, unread } of shares) {
    const own = settings.get(participant.userId) ?? DEFAULT_SETTINGS;
    const muted = participant.muted || own.mutedConversations.includes(conversation.id);
    const planned = deps.plan.stepsFor(conversation, queue, muted);
    if (planned.length === 0) continue;
    // Steps no channel could carry to this person are left out: the feed entry is all they get.
    const steps = planned.filter((step) => reachable.get(step.channel)?.has(participant.userId) === true);
    const first = unread[0]!;
    const newest = unread[unread.length - 1]!;
    entries.push({ newId: timeOrderedId(), userId: participant.userId, fromSeq: first.seq, toSeq: newest.seq, lastMessageId: newest.id, messageCount: unread.length, firstMessageAt: first.createdAt, steps });
  }
  return { entries, settings };
}

/** For each channel, the users it could reach now: configured, and with an address or a subscription. */
async function reachableChannels(deps: NotificationDeps, userIds: readonly string[]): Promise<Map<NotificationChannelName, Set<string>>> {
  const channels = [...deps.channels];
  const reached = await Promise.all(channels.map(([, channel]) => channel.reachable(userIds)));
  return new Map(channels.map(([name], i) => [name, reached[i]!]));
}
