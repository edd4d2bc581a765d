import { Type } from 'typebox';

/**
 * MoreVans' wire shapes (morevans-chat.md): the per-room WebSocket `/ws/chat/{room_id}/`, the
 * notifications WebSocket `/ws/notifications/`, and its REST bodies under `/api/v1/`. Ids are
 * strings on the wire; clients that send numbers (the original's integer ids) are accepted.
 */

const Id = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Integer({ minimum: 0 })]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** The room types MoreVans names; `bidding` rooms belong to a host `bid`. */
export const MOREVANS_ROOM_TYPES = ['request', 'job', 'bidding', 'support', 'general', 'provider_customer'] as const;
export type MorevansRoomType = (typeof MOREVANS_ROOM_TYPES)[number];
const RoomType = Type.Unsafe<MorevansRoomType>({ type: 'string', enum: [...MOREVANS_ROOM_TYPES] });

/** Message types a client may send; `system`, `bid_update` and `status_update` are the server's. */
export const MOREVANS_CLIENT_MESSAGE_TYPES = ['text', 'image', 'file'] as const;
const ClientMessageType = Type.Unsafe<(typeof MOREVANS_CLIENT_MESSAGE_TYPES)[number]>({ type: 'string', enum: [...MOREVANS_CLIENT_MESSAGE_TYPES] });

/**
 * Frames a client sends on the per-room socket, by `type`, with their fields at the top level
 * (no `data` envelope). `content` is checked for emptiness by the server, which answers
 * "Message content cannot be empty".
 */
export const MOREVANS_ROOM_FRAMES = {
  chat_message: Type.Object({ type: Type.Literal('chat_message'), content: Type.Optional(Nullable(Type.String())), reply_to: Type.Optional(Nullable(Id)) }),
  typing: Type.Object({ type: Type.Literal('typing'), is_typing: Type.Optional(Type.Boolean()) }),
  mark_read: Type.Object({ type: Type.Literal('mark_read'), message_ids: Type.Optional(Type.Array(Id, { maxItems: 500 })) }),
  ping: Type.Object({ type: Type.Literal('ping'), timestamp: Type.Optional(Type.Unknown()) }),
} as const;
export type MorevansRoomFrameType = keyof typeof MOREVANS_ROOM_FRAMES;

/** The error texts of the per-room socket, verbatim from the original. */
export const MOREVANS_WS_ERRORS = {
  invalidJson: 'Invalid JSON format',
  emptyContent: 'Message content cannot be empty',
  unknownType: (type: string) => `Unknown message type: ${type}`,
} as const;

/** `POST /api/v1/chat-rooms/`. A related object makes it a host context (the host app's to create). */
export const MorevansCreateRoomBody = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 255 })),
  room_type: RoomType,
  related_model: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }))),
  related_id: Type.Optional(Nullable(Id)),
  participants_ids: Type.Optional(Type.Array(Id, { maxItems: 500 })),
  is_private: Type.Optional(Type.Boolean()),
});

/** `POST /api/v1/chat-rooms/create_or_get/`: the room of a host object. */
export const MorevansCreateOrGetBody = Type.Object({
  room_type: Type.Optional(RoomType),
  related_model: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' })),
  related_id: Id,
});

export const MorevansParticipantBody = Type.Object({ user_id: Id });
export const MorevansByContextQuery = Type.Object({ type: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }), id: Type.String({ minLength: 1, maxLength: 200 }) });
export const MorevansRoomParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/** `POST /api/v1/chat-messages/`. `attachment` is the id of an upload (`POST /v1/uploads`). */
export const MorevansSendBody = Type.Object({
  chat_room: Id,
  content: Type.Optional(Type.String()),
  message_type: Type.Optional(ClientMessageType),
  reply_to: Type.Optional(Nullable(Id)),
  attachment: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
});

/** DRF's page-number pagination: 50 by default, `page_size` at most 100. */
export const MorevansMessagesQuery = Type.Object({
  chat_room: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  room_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  page: Type.Optional(Type.Integer({ minimum: 1 })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});
export const MorevansBulkReadBody = Type.Object({ message_ids: Type.Array(Id, { minItems: 1, maxItems: 500 }) });

/**
 * The host app's business event, `POST /v1/conversations/by-context/{type}/{id}/events`
 * (ChatNotificationService.notify_bid_update in the original): written as a system message with
 * its `system_data` in the object's room.
 */
export const CONTEXT_EVENT_KINDS = ['bid_update', 'status_update', 'system'] as const;
export type ContextEventKind = (typeof CONTEXT_EVENT_KINDS)[number];
export const ContextEventBody = Type.Object(
  {
    kind: Type.Unsafe<ContextEventKind>({ type: 'string', enum: [...CONTEXT_EVENT_KINDS] }),
    content: Type.String({ minLength: 1, maxLength: 10000 }),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Conversation type when the room is created by this event; default: the context's type. */
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' })),
    title: Type.Optional(Nullable(Type.String({ maxLength: 300 }))),
    /** Used only when the room does not exist yet: who is in it (else the host's registration stands). */
    participants: Type.Optional(Type.Array(Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 200 }), role: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' })) }, { additionalProperties: false }), { maxItems: 500 })),
  },
  { additionalProperties: false },
);
