import { Type } from 'typebox';

const SessionId = Type.String({ minLength: 1, maxLength: 200 });
const Session = Type.Object({ session_id: SessionId });

/**
 * The support desk's Socket.IO client events and their data schemas. Every event also takes an
 * acknowledgement callback, answered `{success: true, ...}` or `{success: false, error, code}`.
 */
export const SUPPORT_DESK_CLIENT_EVENTS = {
  join_session: Session,
  leave_session: Session,
  send_message: Type.Object({
    session_id: SessionId,
    content: Type.String({ minLength: 1 }),
    message_type: Type.Optional(Type.String({ maxLength: 32 })),
    temp_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  }),
  typing: Session,
  stop_typing: Session,
  mark_as_read: Type.Object({ session_id: SessionId, message_ids: Type.Optional(Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 }), Type.Null()])) }),
  accept_chat: Session,
  close_chat: Session,
} as const;

export type SupportDeskClientEvent = keyof typeof SUPPORT_DESK_CLIENT_EVENTS;

/** The support desk's REST bodies and queries (`/api/v1/chat`, its logins). */
export const DeskId = Type.String({ minLength: 1, maxLength: 200 });
export const DeskIdParam = Type.Object({ id: DeskId });
export const DeskLogin = Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) });
export const DeskPriority = Type.Unsafe<'low' | 'medium' | 'high' | 'urgent'>({ type: 'string', enum: ['low', 'medium', 'high', 'urgent'] });
export const DeskCreateBody = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 300 }),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  priority: Type.Optional(DeskPriority),
  restaurant_id: Type.Optional(Type.String({ maxLength: 200 })),
  ticket_id: Type.Optional(Type.String({ maxLength: 200 })),
  initial_message: Type.Optional(Type.String({ minLength: 1 })),
});
export const DeskPaging = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })), offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })) });
export const DeskSendBody = Type.Object({
  content: Type.String(),
  message_type: Type.Optional(Type.String({ maxLength: 32 })),
  temp_id: Type.Optional(Type.String({ maxLength: 100 })),
  /** Ids from `POST /api/v1/chat/upload`. */
  attachment_ids: Type.Optional(Type.Array(DeskId, { maxItems: 10 })),
});
export const DeskReadBody = Type.Union([Type.Object({ message_ids: Type.Optional(Type.Union([Type.Array(DeskId, { maxItems: 500 }), Type.Null()])) }), Type.Null()]);
export const DeskStatusBody = Type.Object({ status: Type.Unsafe<'waiting' | 'active' | 'resolved' | 'closed'>({ type: 'string', enum: ['waiting', 'active', 'resolved', 'closed'] }) });

