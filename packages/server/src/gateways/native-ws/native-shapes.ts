import type { Conversation, Message, User } from '../../core/model.js';
import type { MessageJson } from '@switchboard/protocol';
import { presentMessage } from '../../wire/v1-presenters.js';

/**
 * GuzoSync's JSON shapes, extended with the v1 fields (seq, client_id…). Field names the
 * GuzoSync documents use come first and keep their meaning.
 */

export type GuzoMessageJson = MessageJson & { message_type: string; sent_at: string };

export function guzoMessage(m: Message): GuzoMessageJson {
  // Extends the v1 object in place rather than spreading it (see presentMessage).
  const json = presentMessage(m) as GuzoMessageJson;
  json.message_type = m.kind.toUpperCase();
  json.sent_at = m.createdAt;
  return json;
}

/** `ACTIVE`/`CLOSED` as GuzoSync spells statuses; others upper-cased. */
export function guzoStatus(status: string): string {
  return status.toUpperCase();
}

export function guzoParticipant(u: User) {
  return { id: u.id, email: u.email, role: u.roles[0] ?? null, first_name: u.firstName, last_name: u.lastName, display_name: u.displayName };
}

export function guzoConversation(c: Conversation, participants: readonly User[], lastMessage: Message | null, unreadCount?: number) {
  return {
    id: c.id,
    title: c.title,
    type: c.type,
    status: guzoStatus(c.status),
    created_by: c.createdBy,
    last_message_at: c.lastMessageAt,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    last_seq: c.lastSeq,
    ...(unreadCount !== undefined && { unread_count: unreadCount }),
    participants: participants.map(guzoParticipant),
    last_message: lastMessage && { id: lastMessage.id, content: lastMessage.content, sender_id: lastMessage.senderId, sent_at: lastMessage.createdAt, seq: lastMessage.seq },
  };
}

/** First 100 characters, with an ellipsis when cut, as GuzoSync previews messages. */
export function preview(content: string): string {
  // By characters (code points), as GuzoSync's Python slices: never half an emoji.
  const chars = Array.from(content);
  return chars.length > 100 ? `${chars.slice(0, 100).join('')}...` : content;
}
