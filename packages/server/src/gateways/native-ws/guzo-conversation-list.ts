import type { ConversationSummary } from '../../core/model.js';
import type { Directory } from '../../edge-services.js';
import { guzoConversation } from './native-shapes.js';

/** Conversation summaries in GuzoSync's list shape, with each participant's profile. */
export async function guzoConversationList(store: Directory, summaries: readonly ConversationSummary[]) {
  const participants = await Promise.all(summaries.map((s) => store.conversations.participants(s.conversation.id)));
  const users = new Map((await store.users.byIds([...new Set(participants.flat().map((p) => p.userId))])).map((u) => [u.id, u]));
  return summaries.map((s, i) =>
    guzoConversation(s.conversation, participants[i]!.flatMap((p) => users.get(p.userId) ?? []), s.lastMessage, s.unreadCount),
  );
}
