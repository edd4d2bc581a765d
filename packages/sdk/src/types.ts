import type { MessageJson } from '@switchboard/protocol';

/** A message as the SDK delivers it: the v1 message shape, whatever frame carried it. */
export type Message = MessageJson;

/** Where the connection stands. `closed` is final: after `close()` or a terminal error. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

/** What the app asks to send. Attachments are upload ids from `POST /v1/uploads`. */
export interface Draft {
  readonly content: string;
  readonly kind?: string;
  readonly metadata?: Record<string, unknown>;
  readonly replyTo?: string | null;
  readonly attachments?: readonly string[];
}

/** A send the server has not acknowledged yet (or refused for good). */
export interface PendingSend {
  readonly clientId: string;
  readonly conversationId: string;
  readonly draft: Draft;
  readonly createdAt: string;
  /** `pending` waits for a connection or a reply; `failed` was refused and waits for retry or cancel. */
  readonly status: 'pending' | 'failed';
  readonly attempts: number;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface StateChange {
  readonly state: ConnectionState;
  /** Why the connection was lost or closed, when it was. */
  readonly error?: { readonly code: string; readonly message: string; readonly terminal: boolean };
  /** Milliseconds until the next attempt, while `disconnected`. */
  readonly retryInMs?: number;
}

export interface TypingEvent {
  readonly userId: string;
  readonly isTyping: boolean;
}

export interface ReadEvent {
  readonly userId: string;
  readonly seq: number;
  readonly messageId: string | null;
}

export interface DeliveredEvent {
  readonly userId: string;
  readonly seq: number;
}

export interface PresenceEvent {
  readonly userId: string;
  readonly status: 'online' | 'offline';
  readonly lastSeenAt: string | null;
}

export interface ReactionEvent {
  readonly messageId: string;
  readonly userId: string;
  readonly emoji: string;
  readonly action: 'added' | 'removed';
  readonly reactions: readonly { readonly emoji: string; readonly count: number; readonly user_ids: readonly string[] }[];
}

/** A message already delivered changed: edited, deleted, or hidden by a moderator. */
export interface UpdateEvent {
  readonly change: 'edited' | 'deleted' | 'hidden';
  readonly message: Message;
}

/** A message in a conversation this client does not follow (`message_notification`). */
export interface NotificationEvent {
  readonly conversationId: string;
  readonly fromUserId: string | null;
  readonly preview: string;
  readonly seq: number;
  readonly timestamp: string;
}

/** Membership of the signed-in user changed. */
export interface MembershipEvent {
  readonly conversationId: string;
  readonly by: string | null;
}

/** Any frame the server sent unasked, as it came (support cases, reports, profile events). */
export type ServerFrame = { readonly type: string } & Record<string, unknown>;

export interface ConversationEvents {
  readonly message: Message;
  readonly update: UpdateEvent;
  readonly typing: TypingEvent;
  readonly read: ReadEvent;
  readonly delivered: DeliveredEvent;
  readonly presence: PresenceEvent;
  readonly reaction: ReactionEvent;
  /** The list of this conversation's unacknowledged sends changed. */
  readonly pending: readonly PendingSend[];
  /** The signed-in user was removed from the conversation: nothing more arrives. */
  readonly removed: MembershipEvent;
  readonly [event: string]: unknown;
}

export interface ClientEvents {
  readonly state: StateChange;
  readonly notification: NotificationEvent;
  readonly presence: PresenceEvent;
  readonly conversation_added: MembershipEvent;
  readonly conversation_removed: MembershipEvent;
  /** Every frame the server sent unasked, including those the SDK also turns into events. */
  readonly frame: ServerFrame;
  readonly [event: string]: unknown;
}
