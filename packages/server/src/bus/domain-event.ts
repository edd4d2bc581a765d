import type { Conversation, Message, Reaction, User } from '../core/model.js';
import type { MessageReport, Notification, SupportCase } from '../storage/store.js';

/**
 * Everything that happens and may interest a connection, as a union on `type`. Events are
 * facts about committed state (or ephemeral signals like typing); gateways render them.
 */
export type DomainEvent =
  /** `origin` is the connection that sent it, which gets a reply instead of the broadcast. */
  /** `onlyTo`: the users who may see it live (a shadow-banned sender's own message); absent: everyone. */
  | { readonly type: 'message.created'; readonly conversationId: string; readonly message: Message; readonly origin?: string; readonly onlyTo?: readonly string[] }
  | { readonly type: 'message.updated'; readonly conversationId: string; readonly message: Message; readonly onlyTo?: readonly string[] }
  /** Sent to each participant's user topic; `firstMessage` when the conversation opened with one. */
  | { readonly type: 'conversation.created'; readonly conversation: Conversation; readonly participantIds: readonly string[]; readonly firstMessage?: Message }
  | { readonly type: 'conversation.updated'; readonly conversation: Conversation }
  | { readonly type: 'reaction.changed'; readonly conversationId: string; readonly messageId: string; readonly userId: string; readonly emoji: string; readonly added: boolean; readonly reactions: readonly Reaction[] }
  | { readonly type: 'participant.added'; readonly conversationId: string; readonly userId: string; readonly by: string | null }
  | { readonly type: 'participant.removed'; readonly conversationId: string; readonly userId: string; readonly by: string | null }
  | { readonly type: 'receipt.read'; readonly conversationId: string; readonly userId: string; readonly seq: number; readonly messageId?: string; readonly messageIds?: readonly string[]; readonly origin?: string }
  | { readonly type: 'receipt.delivered'; readonly conversationId: string; readonly userId: string; readonly seq: number }
  | { readonly type: 'typing'; readonly conversationId: string; readonly userId: string; readonly userName: string; readonly isTyping: boolean }
  /** Sessions ended: one token (`jti`), or every token issued before `validAfter` (epoch s). */
  /** The user's roles, name or profile changed; open connections take the new roles at once. */
  | { readonly type: 'user.updated'; readonly user: User }
  | { readonly type: 'sessions.revoked'; readonly userId: string; readonly jti?: string; readonly validAfter?: number }
  /** Someone opened or left a conversation's live view (support-desk sessions). */
  | { readonly type: 'session.member'; readonly conversationId: string; readonly userId: string; readonly role: string | null; readonly name: string; readonly joined: boolean; readonly origin: string }
  | { readonly type: 'presence'; readonly userId: string; readonly status: 'online' | 'offline'; readonly lastSeenAt: string }
  | { readonly type: 'support.case_opened'; readonly queue: string; readonly conversation: Conversation; readonly creator: { readonly id: string; readonly name: string; readonly role: string | null }; readonly firstMessage: Message | null }
  /** A case changed status, agent or queue; sent to its conversation and its queues. */
  | { readonly type: 'support.case_updated'; readonly supportCase: SupportCase; readonly change: SupportChange; readonly by: string | null; readonly agent: { readonly id: string; readonly name: string } | null }
  | { readonly type: 'room.joined'; readonly room: string; readonly userId: string; readonly origin: string }
  /** clamd found a signature in an upload, which is quarantined; sent to `topics.admin`. */
  | { readonly type: 'attachment.infected'; readonly attachment: InfectedAttachment }
  /** Someone (or the blocklist) reported a message; sent to `topics.moderation`. */
  | { readonly type: 'report.created'; readonly report: MessageReport; readonly message: Message; readonly openReporters: number }
  /** A feed entry was opened, grew or was read; sent to `topics.user` of its owner. */
  | { readonly type: 'notification.updated'; readonly userId: string; readonly notification: Notification };

/** What admins are told about an infected upload: whose, where it was sent, what was found. */
export interface InfectedAttachment {
  readonly id: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly uploaderId: string;
  /** Where it was sent; null while no message carries it. */
  readonly conversationId: string | null;
  readonly messageId: string | null;
  /** The signature clamd reported, e.g. `Win.Test.EICAR_HDB-1`. */
  readonly signature: string;
  readonly detectedAt: string;
}

export type DomainEventType = DomainEvent['type'];

export type SupportChange = 'accepted' | 'assigned' | 'transferred' | 'resolved' | 'closed' | 'reopened' | 'rated';

/** Topic names, in one place so publishers and subscribers agree. */
export const topics = {
  conversation: (id: string) => `conversation:${id}`,
  user: (id: string) => `user:${id}`,
  presence: (userId: string) => `presence:${userId}`,
  queue: (name: string) => `queue:${name}`,
  admin: 'admin',
  /** Connections of `messages.moderate` holders follow it. */
  moderation: 'moderation',
  /**
   * Every `sessions.revoked` and `user.updated` again, for every user: each node's credential
   * cache follows it (one subscription for all users) to forget what no longer holds.
   */
  credentials: 'credentials',
} as const;
