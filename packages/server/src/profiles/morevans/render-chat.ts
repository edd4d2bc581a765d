import type { Conversation, ConversationSummary, Message } from '../../core/model.js';
import { visibleTo } from '../../core/message-visibility.js';
import type { Directory } from '../../edge-services.js';
import { chatMessage, chatRoom, type Reader } from './morevans-shapes.js';

/**
 * Renders messages the caller may see (the service decided that) as ChatMessage JSON: looks up
 * their senders and the messages they reply to, which read as everyone sees them (a hidden one
 * is a tombstone). `reader` sets `is_read`; live frames go without one.
 */
export async function renderChatMessages(directory: Directory, messages: readonly Message[], reader?: Reader): Promise<Record<string, unknown>[]> {
  const replyIds = [...new Set(messages.flatMap((m) => (m.replyTo === null ? [] : [m.replyTo])))];
  const replies = new Map((replyIds.length === 0 ? [] : await directory.messages.byIds(replyIds)).map((m) => [m.id, visibleTo(m, { userId: reader?.userId, moderator: false })]));
  const senderIds = [...new Set([...messages, ...replies.values()].flatMap((m) => (m.senderId === null ? [] : [m.senderId])))];
  const users = new Map((senderIds.length === 0 ? [] : await directory.users.byIds(senderIds)).map((u) => [u.id, u]));
  return messages.map((m) => chatMessage(m, { users, replies, ...(reader !== undefined && { reader }) }));
}

/** One room as a reader sees it: participants, their unread count and the last message. */
export async function renderChatRoom(directory: Directory, conversation: Conversation, summary: ConversationSummary | undefined, userId: string): Promise<Record<string, unknown>> {
  const participants = await directory.conversations.participants(conversation.id);
  const users = new Map((await directory.users.byIds(participants.map((p) => p.userId))).map((u) => [u.id, u]));
  const reader = summary ? { userId, lastReadSeq: summary.participant.lastReadSeq } : undefined;
  const last = summary?.lastMessage ?? null;
  const [lastMessage] = last ? await renderChatMessages(directory, [visibleTo(last, { userId, moderator: false })], reader) : [null];
  return chatRoom({ conversation, participants, users, unreadCount: summary?.unreadCount ?? 0, lastMessage: lastMessage ?? null });
}
