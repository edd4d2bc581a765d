import type { Selectable } from 'kysely';
import type { Conversation, Message, MessageHeader, Participant, User } from '../../core/model.js';
import type { ConversationsTable, MessagesTable, ParticipantsTable, UsersTable } from '../database.js';

/** Row → model mapping, the one place that knows how columns encode JSON and flags. */

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    firstName: row.first_name,
    lastName: row.last_name,
    roles: JSON.parse(row.roles) as string[],
    profile: JSON.parse(row.profile) as Record<string, unknown>,
    disabled: Number(row.disabled) === 1,
    tokensValidAfter: Number(row.tokens_valid_after),
    rolesUpdatedAt: Number(row.roles_updated_at),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toConversation(row: Selectable<ConversationsTable>): Conversation {
  return {
    id: row.id,
    type: row.type,
    context: row.context_type !== null && row.context_id !== null ? { type: row.context_type, id: row.context_id } : null,
    title: row.title,
    status: row.status,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdBy: row.created_by,
    lastSeq: Number(row.last_seq),
    lastMessageAt: row.last_message_at,
    lastActivityAt: row.last_activity_at,
    slowModeSeconds: Number(row.slow_mode_seconds),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toParticipant(row: Selectable<ParticipantsTable>): Participant {
  return {
    conversationId: row.conversation_id,
    userId: row.user_id,
    role: row.role,
    lastReadSeq: Number(row.last_read_seq),
    lastDeliveredSeq: Number(row.last_delivered_seq),
    muted: Number(row.muted) === 1,
    joinedAt: row.joined_at,
    leftAt: row.left_at,
  };
}

/** A message row as the message statements read it: every column but `search_text`. */
export type MessageRow = Omit<Selectable<MessagesTable>, 'search_text'>;

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    kind: row.kind,
    content: row.content,
    attachments: JSON.parse(row.attachments) as Message['attachments'],
    replyTo: row.reply_to,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    clientId: row.client_id,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    hidden: Number(row.hidden) === 1,
    reported: Number(row.reported) === 1,
    shadowed: Number(row.shadowed) === 1,
    createdAt: row.created_at,
  };
}

/** The columns of a message header, and their mapping next to the whole message's. */
export const MESSAGE_HEADER_COLUMNS = ['id', 'seq', 'sender_id', 'kind', 'created_at', 'deleted_at', 'hidden', 'shadowed'] as const;

export function toMessageHeader(row: Pick<MessageRow, (typeof MESSAGE_HEADER_COLUMNS)[number]>): MessageHeader {
  return {
    id: row.id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    kind: row.kind,
    createdAt: row.created_at,
    deletedAt: row.deleted_at,
    hidden: Number(row.hidden) === 1,
    shadowed: Number(row.shadowed) === 1,
  };
}

export const now = (): string => new Date().toISOString();
