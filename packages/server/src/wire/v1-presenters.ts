import type { Attachment, Conversation, ConversationSummary, Message, Participant, User } from '../core/model.js';
import type { ConversationJson, MessageJson, ParticipantJson, UserJson } from '@switchboard/protocol';

/** Model → v1 JSON. The one place the native wire's field names are decided. */

export function presentUser(user: User, withPrivate: boolean): UserJson {
  const json: UserJson = {
    id: user.id,
    display_name: user.displayName,
    first_name: user.firstName,
    last_name: user.lastName,
    roles: [...user.roles],
    profile: user.profile,
  };
  if (withPrivate) Object.assign(json, { email: user.email, disabled: user.disabled, created_at: user.createdAt });
  return json;
}

export const presentAttachment = (a: Attachment) => ({
  id: a.id,
  name: a.name,
  content_type: a.contentType,
  size: a.size,
  ...(a.url !== undefined && { url: a.url }),
  ...(a.thumbnailUrl !== undefined && { thumbnail_url: a.thumbnailUrl }),
  // Attachments stored before scanning existed were served unscanned all along: no scanner, clean.
  scan_status: a.scanStatus ?? 'clean',
});

export function presentMessage(m: Message): MessageJson {
  // Built as one literal and then extended, never spread: a sync page shapes hundreds of these,
  // and spreading a message-sized object costs several times the literal.
  const json: MessageJson = {
    id: m.id,
    conversation_id: m.conversationId,
    seq: m.seq,
    sender_id: m.senderId,
    kind: m.kind,
    content: m.content,
    attachments: m.attachments.map(presentAttachment),
    reply_to: m.replyTo,
    metadata: m.metadata,
    client_id: m.clientId,
    edited_at: m.editedAt,
    deleted_at: m.deletedAt,
    hidden: m.hidden,
    created_at: m.createdAt,
  };
  if (m.reactions !== undefined) json.reactions = m.reactions.map(presentReaction);
  return json;
}

export const presentReaction = (r: { emoji: string; userIds: readonly string[] }) => ({ emoji: r.emoji, count: r.userIds.length, user_ids: [...r.userIds] });

export function presentParticipant(p: Participant): ParticipantJson {
  return { user_id: p.userId, role: p.role, last_read_seq: p.lastReadSeq, last_delivered_seq: p.lastDeliveredSeq, joined_at: p.joinedAt };
}

export function presentConversation(c: Conversation): ConversationJson {
  return {
    id: c.id,
    type: c.type,
    context: c.context,
    title: c.title,
    status: c.status,
    metadata: c.metadata,
    created_by: c.createdBy,
    last_seq: c.lastSeq,
    last_message_at: c.lastMessageAt,
    slow_mode_seconds: c.slowModeSeconds,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function presentSummary(s: ConversationSummary): ConversationJson {
  return {
    ...presentConversation(s.conversation),
    unread_count: s.unreadCount,
    last_read_seq: s.participant.lastReadSeq,
    last_message: s.lastMessage && presentMessage(s.lastMessage),
  };
}
