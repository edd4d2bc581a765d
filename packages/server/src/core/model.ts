/** The one data model every transport and profile renders from. */

export type Json = Record<string, unknown>;

export interface User {
  readonly id: string;
  readonly email: string | null;
  readonly displayName: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly roles: readonly string[];
  readonly profile: Json;
  readonly disabled: boolean;
  /** Tokens issued before this instant (epoch seconds) are revoked. */
  readonly tokensValidAfter: number;
  /**
   * When the roles were last stated (epoch seconds): by the host app's API, or by the `iat` of
   * the host token that set them. Host tokens issued no later than this cannot change them.
   */
  readonly rolesUpdatedAt: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ConversationContext {
  readonly type: string;
  readonly id: string;
}

export interface Conversation {
  readonly id: string;
  readonly type: string;
  readonly context: ConversationContext | null;
  readonly title: string | null;
  readonly status: string;
  readonly metadata: Json;
  readonly createdBy: string | null;
  readonly lastSeq: number;
  readonly lastMessageAt: string | null;
  readonly lastActivityAt: string;
  /** Seconds a member waits between two messages (0: off); never applied to staff. */
  readonly slowModeSeconds: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Participant {
  readonly conversationId: string;
  readonly userId: string;
  readonly role: string;
  readonly lastReadSeq: number;
  readonly lastDeliveredSeq: number;
  readonly muted: boolean;
  readonly joinedAt: string;
  readonly leftAt: string | null;
}

/**
 * Where an upload's virus scan stands: `pending` until clamd has answered, then `clean`,
 * `infected` (quarantined, never served) or `failed` (could not be scanned, never served);
 * `unscanned` when a best-effort scan could not run and the file is served anyway.
 */
export type ScanStatus = 'pending' | 'clean' | 'infected' | 'failed' | 'unscanned';

export interface Attachment {
  readonly id: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly url?: string;
  readonly thumbnailUrl?: string;
  /** Absent on attachments stored before scanning existed, which count as `clean`. */
  readonly scanStatus?: ScanStatus;
}

export interface Message {
  readonly id: string;
  readonly conversationId: string;
  readonly seq: number;
  readonly senderId: string | null;
  readonly kind: string;
  readonly content: string;
  readonly attachments: readonly Attachment[];
  readonly replyTo: string | null;
  readonly metadata: Json;
  readonly clientId: string | null;
  readonly editedAt: string | null;
  readonly deletedAt: string | null;
  /** Hidden by a moderator (or automatically after enough reports): a tombstone that keeps its seq. */
  readonly hidden: boolean;
  /** Reported by someone at least once. */
  readonly reported: boolean;
  /** Written under a shadow ban: only its sender and moderators see it. */
  readonly shadowed: boolean;
  readonly createdAt: string;
  /** Filled in when read for display; absent on freshly written messages. */
  readonly reactions?: readonly Reaction[];
}

/** What a message is without its body: who sent which kind when, and whether it is visible. */
export type MessageHeader = Pick<Message, 'id' | 'seq' | 'senderId' | 'kind' | 'createdAt' | 'deletedAt' | 'hidden' | 'shadowed'>;

/** Who reacted to a message with one emoji. */
export interface Reaction {
  readonly emoji: string;
  readonly userIds: readonly string[];
}

/** A conversation as one participant sees it in a list. */
export interface ConversationSummary {
  readonly conversation: Conversation;
  readonly participant: Participant;
  readonly unreadCount: number;
  readonly lastMessage: Message | null;
}
