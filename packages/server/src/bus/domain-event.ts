import type { Conversation, Message } from '../core/model.js';

/**
 * Everything that happens and may interest a connection, as a union on `type`. Events are
 * facts about committed state (or ephemeral signals like typing); gateways render them.
 */
export type DomainEvent =
  | { readonly type: 'message.created'; readonly conversationId: string; readonly message: Message }
  | { readonly type: 'message.updated'; readonly conversationId: string; readonly message: Message }
  | { readonly type: 'conversation.created'; readonly conversation: Conversation; readonly participantIds: readonly string[] }
  | { readonly type: 'conversation.updated'; readonly conversation: Conversation }
  | { readonly type: 'participant.added'; readonly conversationId: string; readonly userId: string; readonly by: string | null }
  | { readonly type: 'participant.removed'; readonly conversationId: string; readonly userId: string; readonly by: string | null }
  | { readonly type: 'receipt.read'; readonly conversationId: string; readonly userId: string; readonly seq: number; readonly messageId?: string }
  | { readonly type: 'receipt.delivered'; readonly conversationId: string; readonly userId: string; readonly seq: number }
  | { readonly type: 'typing'; readonly conversationId: string; readonly userId: string; readonly isTyping: boolean }
  | { readonly type: 'presence'; readonly userId: string; readonly status: 'online' | 'offline'; readonly lastSeenAt: string };

export type DomainEventType = DomainEvent['type'];

/** Topic names, in one place so publishers and subscribers agree. */
export const topics = {
  conversation: (id: string) => `conversation:${id}`,
  user: (id: string) => `user:${id}`,
  queue: (name: string) => `queue:${name}`,
  admin: 'admin',
} as const;
