import { Type, type Static, type TSchema } from 'typebox';
import { SearchMessagesParams } from './search.js';

/**
 * Inbound frames of the native protocol (GuzoSync's events plus extensions), each `{type, data}`.
 * The gateway validates with these and docs/websocket-protocol.md is generated from them.
 * Unknown fields inside `data` are ignored, as GuzoSync's own clients may send more.
 */
const Id = Type.String({ minLength: 1, maxLength: 200 });
const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export interface InboundFrameSpec<S extends TSchema = TSchema> {
  readonly data: S;
  readonly summary: string;
  /** Reply text for a frame whose data does not match, where the original documents one. */
  readonly invalidText?: string;
  readonly extension?: boolean;
}

const spec = <S extends TSchema>(s: InboundFrameSpec<S>) => s;

export const INBOUND_FRAMES = {
  send_chat_message: spec({
    summary: 'Send a message to a conversation you take part in. Reply: success, message_id, seq, client_id, sent_message (the stored message; for a repeated client_id, the original); broadcast new_message.',
    invalidText: 'Conversation ID and content required',
    data: Type.Object({
      conversation_id: Id,
      content: Type.String({ minLength: 1 }),
      client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      reply_to: Type.Optional(Type.Union([Id, Type.Null()])),
      message_type: Type.Optional(Type.String({ maxLength: 32 })),
      metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      attachments: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 10 })),
    }),
  }),
  create_support_conversation: spec({
    summary: 'Open a support conversation with the control center (roles with support.create).',
    invalidText: 'Title and content required',
    data: Type.Object({
      title: Type.String({ minLength: 1, maxLength: 200 }),
      content: Type.String({ minLength: 1 }),
      room_type: Type.Optional(Type.String({ maxLength: 64 })),
      client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    }),
  }),
  get_active_conversations: spec({
    summary: 'Your ACTIVE conversations, newest activity first, at most 50, with participants and last message.',
    data: Type.Object({}),
  }),
  get_conversation_messages: spec({
    summary: 'The newest `limit` messages after skipping `skip`, oldest first.',
    invalidText: 'Conversation ID required',
    data: Type.Object({
      conversation_id: Id,
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
      skip: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    }),
  }),
  join_conversation: spec({
    summary: 'Join the room of a conversation you take part in, to receive new_message. Frames: conversation_joined, then the reply.',
    invalidText: 'Conversation ID required',
    data: Type.Object({ conversation_id: Id }),
  }),
  leave_conversation: spec({
    summary: 'Leave a conversation room (you stay a participant and get message_notification instead).',
    extension: true,
    data: Type.Object({ conversation_id: Id }),
  }),
  join_support_room: spec({
    summary: 'Watch a support queue (control staff): new_support_conversation and room_notification.',
    data: Type.Object({ room_type: Type.Optional(Type.String({ maxLength: 64 })) }),
  }),
  leave_support_room: spec({
    summary: 'Stop watching a support queue.',
    extension: true,
    data: Type.Object({ room_type: Type.Optional(Type.String({ maxLength: 64 })) }),
  }),
  typing_indicator: spec({
    summary: 'Start or stop typing; others in the room get typing_status. Expires after 10 s without a refresh.',
    invalidText: 'Conversation ID and is_typing required',
    data: Type.Object({ conversation_id: Id, is_typing: Type.Boolean() }),
  }),
  mark_message_read: spec({
    summary: 'Move your read pointer to a message (or to `seq`, or to the newest); others get message_read.',
    invalidText: 'Conversation ID required',
    data: Type.Object({ conversation_id: Id, message_id: Type.Optional(Id), seq: Type.Optional(Seq) }),
  }),
  mark_delivered: spec({
    summary: 'Acknowledge receipt up to `seq`; others get delivery_receipt.',
    extension: true,
    data: Type.Object({ conversation_id: Id, seq: Seq }),
  }),
  sync: spec({
    summary: 'Everything committed after each `after_seq`, in seq order, with has_more. Use after every reconnect.',
    extension: true,
    data: Type.Object({
      conversations: Type.Array(Type.Object({ id: Id, after_seq: Seq }), { minItems: 1, maxItems: 100 }),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    }),
  }),
  edit_message: spec({
    summary: 'Edit your own message; the room gets message_edited.',
    extension: true,
    data: Type.Object({ conversation_id: Id, message_id: Id, content: Type.String({ minLength: 1 }) }),
  }),
  delete_message: spec({
    summary: 'Delete your own message; the room gets message_deleted.',
    extension: true,
    data: Type.Object({ conversation_id: Id, message_id: Id }),
  }),
  add_reaction: spec({
    summary: 'React to a message; the room gets reaction_updated.',
    extension: true,
    data: Type.Object({ conversation_id: Id, message_id: Id, emoji: Type.String({ minLength: 1, maxLength: 32, pattern: '^\\S+$' }) }),
  }),
  remove_reaction: spec({
    summary: 'Withdraw your reaction; the room gets reaction_updated.',
    extension: true,
    data: Type.Object({ conversation_id: Id, message_id: Id, emoji: Type.String({ minLength: 1, maxLength: 32, pattern: '^\\S+$' }) }),
  }),
  report_message: spec({
    summary: 'Report a message you can read for moderation (once per message); moderators get message_reported. Reply: report_id, created.',
    extension: true,
    data: Type.Object({ conversation_id: Id, message_id: Id, reason: Type.String({ minLength: 1, maxLength: 100 }), note: Type.Optional(Type.String({ maxLength: 2000 })) }),
  }),
  search_messages: spec({
    summary: 'Messages containing q (3+ characters, found inside words), newest first, in the conversations you may read now. Reply: results [{message, conversation_id, seq, snippet}], next_cursor: the answer of GET /v1/search/messages.',
    extension: true,
    data: Type.Object(SearchMessagesParams.properties),
  }),
  get_presence: spec({
    summary: 'Presence of users you share a conversation with.',
    extension: true,
    data: Type.Object({ user_ids: Type.Array(Id, { minItems: 1, maxItems: 200 }) }),
  }),
} as const;

export type InboundFrameType = keyof typeof INBOUND_FRAMES;
export type InboundData<T extends InboundFrameType> = Static<(typeof INBOUND_FRAMES)[T]['data']>;

/** Frames whose fields sit at the top level rather than under `data`. */
export const TOP_LEVEL_FRAMES = {
  ping: { summary: 'Application keepalive: `{type:"ping", timestamp}` → `{type:"pong", timestamp, server_time}`.' },
  join_room: { summary: 'Join a room by id (`conversation:<id>` you may read, `support:<queue>` for staff) → room_joined.' },
  leave_room: { summary: 'Leave a room by id → room_left.' },
} as const;

export const RoomFrame = Type.Object({ room_id: Type.String({ minLength: 1, maxLength: 300 }) });

/** Frames the server sends unasked, with their fields (the reference is generated from this). */
export const OUTBOUND_FRAMES = {
  authenticated: { to: 'the new connection', fields: 'user_id, connection_id, message: "Authentication successful"' },
  auth_error: { to: 'a connection whose token is missing, invalid, expired or revoked (then close 4001)', fields: 'message: "Invalid token" | "Token expired" | "Session ended" (logout, revoked tokens, disabled user)' },
  pong: { to: 'the sender of ping', fields: 'timestamp (echoed), server_time (ISO)' },
  error: { to: 'the sender of a frame that is not JSON, has no type, is too large, or a bad room frame', fields: 'message: "Invalid JSON format" | "Message type required" | "Frame too large" | …, code?' },
  new_message: { to: 'connections in the conversation room, except the sending connection', fields: 'conversation_id, message {id, sender_id, content, message_type, sent_at, seq, client_id, reply_to, metadata, attachments, kind, created_at, edited_at, deleted_at, hidden}' },
  message_notification: { to: "participants' connections not in the room", fields: 'conversation_id, from_user_id, preview (100 chars + "..."), timestamp, seq' },
  conversation_joined: { to: 'the joining connection, before the reply', fields: 'conversation_id, room_id "conversation:<id>", message' },
  new_support_conversation: { to: 'connections watching support:general_support and the creator’s role queue', fields: 'conversation_id, title, creator_id, creator_name, creator_role, message, queue, timestamp' },
  support_case_updated: { to: 'the case room, its participants and watchers of its queues', fields: 'conversation_id, change (accepted|assigned|transferred|resolved|closed|reopened|rated), status, queue, priority, agent_id, agent_name, assignment_reason, by, timestamp' },
  room_notification: { to: 'other watchers of a support room someone joined', fields: 'room_id, user_id, message, timestamp' },
  room_joined: { to: 'the sender of join_room', fields: 'room_id' },
  room_left: { to: 'the sender of leave_room', fields: 'room_id' },
  typing_status: { to: 'other users in the room', fields: 'conversation_id, user_id, is_typing, timestamp' },
  message_read: { to: 'the room and the reader’s other devices', fields: 'conversation_id, user_id, message_id, last_read_seq, timestamp' },
  delivery_receipt: { to: 'other users in the room', fields: 'conversation_id, user_id, last_delivered_seq, timestamp' },
  message_edited: { to: 'the room', fields: 'conversation_id, message' },
  message_deleted: { to: 'the room', fields: 'conversation_id, message (content emptied, deleted_at set)' },
  message_hidden: { to: 'the room', fields: 'conversation_id, message (a tombstone: content, attachments and metadata emptied, hidden true; seq kept)' },
  message_reported: { to: 'connections of users with messages.moderate', fields: 'report {id, message_id, conversation_id, reporter_id, reason, note, created_at}, message (whole), open_reporters' },
  reaction_updated: { to: 'the room', fields: 'conversation_id, message_id, user_id, emoji, action "added" | "removed", reactions [{emoji, count, user_ids}]' },
  presence: { to: 'users who share a conversation', fields: 'user_id, status "online" | "offline", last_seen_at' },
  conversation_added: { to: 'the added user’s connections', fields: 'conversation_id, by, timestamp' },
  conversation_removed: { to: 'the removed user’s connections', fields: 'conversation_id, by, timestamp' },
  participant_joined: { to: 'the room', fields: 'conversation_id, user_id, by, timestamp' },
  participant_left: { to: 'the room', fields: 'conversation_id, user_id, by, timestamp' },
  conversation_updated: { to: 'the room and participants', fields: 'conversation_id, title, status, timestamp' },
  notification: { to: 'the user’s connections, when a feed entry opens, grows or is read', fields: 'notification {id, conversation_id, from_seq, to_seq, message_count, last_message_id, escalating, read_at, created_at, updated_at} (as GET /v1/notifications)' },
} as const;
