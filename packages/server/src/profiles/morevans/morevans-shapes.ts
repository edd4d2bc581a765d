import type { MorevansRoomType } from '@switchboard/protocol';
import type { Conversation, ConversationContext, Message, Participant, User } from '../../core/model.js';

/** MoreVans' JSON: chat rooms and chat messages as its clients read them, ids as strings, `seq` added. */

/** Room types and the conversation types they are stored as; a `bidding` room is a host `bid`'s. */
const TYPE_OF_ROOM: Record<MorevansRoomType, string> = { request: 'request', job: 'job', bidding: 'bid', support: 'support', general: 'general', provider_customer: 'provider_customer' };
const ROOM_OF_TYPE: Record<string, MorevansRoomType> = Object.fromEntries(Object.entries(TYPE_OF_ROOM).map(([room, type]) => [type, room as MorevansRoomType]));

export const conversationTypeOf = (room: MorevansRoomType): string => TYPE_OF_ROOM[room];
/** Conversations of other systems' types read as `general`. */
export const roomTypeOf = (type: string): MorevansRoomType => ROOM_OF_TYPE[type] ?? 'general';

/** The host object a related model names: `bidding` and `bid` are the same object. */
export function contextOf(model: string, id: string | number): ConversationContext {
  const type = model.toLowerCase();
  return { type: type === 'bidding' ? 'bid' : type, id: String(id) };
}

/** The context a room of this type is tied to by default, when the client names only its id. */
export const contextTypeOf = (room: MorevansRoomType): string | undefined => (room === 'request' || room === 'job' || room === 'bidding' ? TYPE_OF_ROOM[room] : undefined);

/** Room and message ids are UUIDs; MoreVans clients may send them without hyphens or in capitals. */
export function normaliseId(raw: string | number): string {
  const id = String(raw).trim().toLowerCase();
  if (/^[0-9a-f]{32}$/.test(id)) return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
  return id;
}

type Person = Pick<User, 'id' | 'displayName' | 'firstName' | 'lastName' | 'profile' | 'email'>;

export function senderData(u: Person) {
  const username = typeof u.profile.username === 'string' ? u.profile.username : u.displayName;
  return { id: u.id, username, first_name: u.firstName ?? '', last_name: u.lastName ?? '' };
}

const SERVER_EVENT_TYPES = new Set(['bid_update', 'status_update', 'system']);

/** `system` messages say which business event they carry (`event_kind`); other kinds MoreVans lacks read as `text`. */
export function messageTypeOf(m: Message): string {
  if (m.kind === 'system') {
    const kind = m.metadata.event_kind;
    return typeof kind === 'string' && SERVER_EVENT_TYPES.has(kind) ? kind : 'system';
  }
  return m.kind === 'image' || m.kind === 'file' ? m.kind : 'text';
}

/** What a reader's pointer says of a message: read when it reached it, or when it is their own. */
export interface Reader {
  readonly userId: string;
  readonly lastReadSeq: number;
}

export interface MessageContext {
  readonly users: ReadonlyMap<string, Person>;
  /** Messages replied to, by id, as the reader may see them. */
  readonly replies: ReadonlyMap<string, Message>;
  /** Absent on live frames (rendered once for every recipient): `is_read` is then false. */
  readonly reader?: Reader;
}

/** The ChatMessage JSON of the document, with the wire notes' fields. */
export function chatMessage(m: Message, ctx: MessageContext, nested = false): Record<string, unknown> {
  const sender = m.senderId === null ? undefined : ctx.users.get(m.senderId);
  const file = m.attachments[0];
  const reply = m.replyTo === null || nested ? undefined : ctx.replies.get(m.replyTo);
  const isRead = ctx.reader !== undefined && (m.senderId === ctx.reader.userId || m.seq <= ctx.reader.lastReadSeq);
  return {
    id: m.id,
    chat_room: m.conversationId,
    sender: m.senderId,
    content: m.content,
    message_type: messageTypeOf(m),
    attachment: file ? (file.url ?? `/v1/uploads/${file.id}`) : null,
    attachment_name: file?.name ?? null,
    attachment_size: file?.size ?? null,
    reply_to: m.replyTo,
    system_data: m.kind === 'system' ? (m.metadata.system_data ?? null) : null,
    created_at: m.createdAt,
    updated_at: m.editedAt ?? m.deletedAt ?? m.createdAt,
    sender_data: sender ? senderData(sender) : null,
    is_read: isRead,
    ...(!nested && { reply_to_message: reply ? chatMessage(reply, ctx, true) : null }),
    is_hidden: m.hidden,
    seq: m.seq,
  };
}

export interface RoomView {
  readonly conversation: Conversation;
  readonly participants: readonly Participant[];
  readonly users: ReadonlyMap<string, Person>;
  readonly unreadCount: number;
  readonly lastMessage: Record<string, unknown> | null;
}

/** The ChatRoom JSON: its related object is the conversation's host context. */
export function chatRoom(v: RoomView): Record<string, unknown> {
  const c = v.conversation;
  const current = v.participants.filter((p) => p.leftAt === null);
  return {
    id: c.id,
    name: c.title ?? '',
    room_type: roomTypeOf(c.type),
    related_model: c.context?.type ?? null,
    related_id: c.context?.id ?? null,
    participants: current.map((p) => p.userId),
    participants_data: current.flatMap((p) => {
      const u = v.users.get(p.userId);
      return u ? [{ ...senderData(u), role: p.role }] : [];
    }),
    is_active: c.status !== 'closed' && c.status !== 'archived',
    // Every room is invitation-only: only its participants (and the staff of its queue) read it.
    is_private: c.metadata.is_private !== false,
    last_message_at: c.lastMessageAt,
    last_message: v.lastMessage,
    unread_count: v.unreadCount,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}
