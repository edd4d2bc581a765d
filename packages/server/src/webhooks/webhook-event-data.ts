import type { Json } from '../core/model.js';
import type { Store } from '../storage/store.js';
import { presentConversation, presentMessage } from '../wire/v1-presenters.js';
import { presentCase } from '../rest/routes/support.routes.js';
import { presentReport } from '../moderation/moderation.presenters.js';

type Details = Readonly<Record<string, unknown>>;

/**
 * The `data` of an event's body, from the subject's state when the event is fanned out (a
 * second or so after the change): the host app's backend sees what a moderator sees. Every
 * body names the conversation and its `last_seq`, and a message's its `seq`, so a receiver
 * that missed something can page `GET /v1/conversations/{id}/messages?after_seq=`. Resolves
 * `undefined` when the subject is gone.
 */
export async function webhookEventData(store: Store, type: string, subjectId: string, details: Details): Promise<Json | undefined> {
  if (type.startsWith('message.')) {
    const message = await store.messages.byId(subjectId);
    const conversation = message && (await store.conversations.byId(message.conversationId));
    if (!message || !conversation) return undefined;
    return { conversation_id: conversation.id, seq: message.seq, last_seq: conversation.lastSeq, message: presentMessage(message) } as Json;
  }
  const conversation = await store.conversations.byId(type === 'report.created' ? String(details.conversation_id) : subjectId);
  if (!conversation) return undefined;
  const about = { conversation_id: conversation.id, last_seq: conversation.lastSeq };
  switch (type) {
    case 'conversation.created':
    case 'conversation.closed':
      return { ...about, conversation: presentConversation(conversation) } as Json;
    case 'participant.added':
    case 'participant.removed':
      return { ...about, user_id: String(details.user_id), ...(details.role !== undefined && { role: String(details.role) }) };
    case 'support_case.updated':
    case 'rating.given': {
      const supportCase = await store.cases.byConversation(conversation.id);
      return supportCase && ({ ...about, case: presentCase(supportCase) } as Json);
    }
    case 'report.created': {
      const report = (await store.moderation.reportsOf(String(details.message_id))).find((r) => r.id === subjectId);
      const message = report && (await store.messages.byId(report.messageId));
      return report && message && ({ ...about, seq: message.seq, message_id: message.id, report: presentReport(report) } as Json);
    }
    default:
      return { ...about, ...details } as Json;
  }
}
