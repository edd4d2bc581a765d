import { Type, type Static } from 'typebox';

/** The v1 wire shapes (REST and the native WebSocket protocol), documented in OpenAPI from here. */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Metadata = Type.Record(Type.String(), Type.Unknown());

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable error code from the registry' }),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
    retryable: Type.Optional(Type.Boolean({ description: 'Present and true when the same request may succeed later (rate limits, outages)' })),
  }),
});

export const UserJson = Type.Object({
  id: Type.String(),
  display_name: Type.String(),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  roles: Type.Array(Type.String()),
  profile: Metadata,
  email: Type.Optional(Nullable(Type.String())),
  disabled: Type.Optional(Type.Boolean()),
  created_at: Type.Optional(Type.String()),
});
export type UserJson = Static<typeof UserJson>;

export const AttachmentJson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  content_type: Type.String(),
  size: Type.Integer(),
  url: Type.Optional(Type.String()),
  thumbnail_url: Type.Optional(Type.String()),
  scan_status: Type.Union([Type.Literal('pending'), Type.Literal('clean'), Type.Literal('infected'), Type.Literal('failed'), Type.Literal('unscanned')], {
    description: 'Virus scan: downloads answer file_pending until clean (or unscanned, in best-effort mode); infected and failed files are never served',
  }),
});

export const ReactionJson = Type.Object({ emoji: Type.String(), count: Type.Integer(), user_ids: Type.Array(Type.String()) });

export const MessageJson = Type.Object({
  id: Type.String(),
  conversation_id: Type.String(),
  seq: Type.Integer({ description: 'Gap-free position in the conversation, from 1' }),
  sender_id: Nullable(Type.String()),
  kind: Type.String(),
  content: Type.String(),
  attachments: Type.Array(AttachmentJson),
  reply_to: Nullable(Type.String()),
  metadata: Metadata,
  client_id: Nullable(Type.String()),
  edited_at: Nullable(Type.String()),
  deleted_at: Nullable(Type.String()),
  hidden: Type.Boolean({ description: 'Hidden by a moderator: content, attachments and metadata are gone for everyone but moderators; the seq stays' }),
  created_at: Type.String(),
  reactions: Type.Optional(Type.Array(ReactionJson)),
});
export type MessageJson = Static<typeof MessageJson>;

export const ContextJson = Type.Object({ type: Type.String(), id: Type.String() });

export const ParticipantJson = Type.Object({
  user_id: Type.String(),
  role: Type.String(),
  last_read_seq: Type.Integer(),
  last_delivered_seq: Type.Integer(),
  joined_at: Type.String(),
});
export type ParticipantJson = Static<typeof ParticipantJson>;

export const ConversationJson = Type.Object({
  id: Type.String(),
  type: Type.String(),
  context: Nullable(ContextJson),
  title: Nullable(Type.String()),
  status: Type.String(),
  metadata: Metadata,
  created_by: Nullable(Type.String()),
  last_seq: Type.Integer(),
  last_message_at: Nullable(Type.String()),
  slow_mode_seconds: Type.Integer({ description: 'Seconds a member waits between two messages; 0 is off. Staff are never slowed' }),
  created_at: Type.String(),
  updated_at: Type.String(),
  unread_count: Type.Optional(Type.Integer()),
  last_read_seq: Type.Optional(Type.Integer()),
  last_message: Type.Optional(Nullable(MessageJson)),
  participants: Type.Optional(Type.Array(ParticipantJson)),
});
export type ConversationJson = Static<typeof ConversationJson>;
