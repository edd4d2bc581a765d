import type { Conversation, Message, Participant, User } from '../../core/model.js';
import type { SupportCase } from '../../storage/store.js';

/**
 * The support desk's JSON: sessions and messages as its clients read them, with Switchboard's
 * fields (seq, queue, assignment) added.
 */

export function deskSession(c: SupportCase, conversation: Conversation, extra: { unreadCount?: number; lastMessage?: Message | null } = {}) {
  const links = (conversation.metadata.links ?? {}) as Record<string, string>;
  return {
    id: c.conversationId,
    subject: c.subject,
    category: c.category,
    priority: c.priority,
    status: c.status,
    customer_id: c.requesterId,
    agent_id: c.assignedAgentId,
    restaurant_id: links.restaurant ?? null,
    ticket_id: links.ticket ?? null,
    queue: c.queue,
    assignment_reason: c.assignmentReason,
    created_at: c.createdAt,
    updated_at: conversation.updatedAt,
    accepted_at: c.acceptedAt,
    first_response_at: c.firstResponseAt,
    resolved_at: c.resolvedAt,
    closed_at: c.closedAt,
    csat_score: c.csatScore,
    last_seq: conversation.lastSeq,
    ...(extra.unreadCount !== undefined && { unread_count: extra.unreadCount }),
    ...(extra.lastMessage !== undefined && { last_message: extra.lastMessage && deskMessage(extra.lastMessage, undefined) }),
  };
}

export function deskMessage(m: Message, sender: Pick<User, 'roles' | 'displayName'> | undefined, tempId?: string) {
  return {
    id: m.id,
    session_id: m.conversationId,
    sender_id: m.senderId,
    sender_role: m.senderId === null ? 'system' : (sender?.roles[0] ?? null),
    sender_name: m.senderId === null ? 'System' : (sender?.displayName ?? null),
    content: m.content,
    message_type: m.kind,
    attachments: m.attachments.map((a) => ({ id: a.id, file_name: a.name, file_url: a.url ?? null, file_size: a.size, file_type: a.contentType, thumbnail_url: a.thumbnailUrl ?? null })),
    read_by: [] as string[],
    reply_to: m.replyTo,
    seq: m.seq,
    created_at: m.createdAt,
    edited_at: m.editedAt,
    is_hidden: m.hidden,
    ...(tempId !== undefined && { temp_id: tempId }),
    ...(m.clientId !== null && { client_id: m.clientId }),
  };
}

/** Who has read a message: participants other than its sender whose read pointer reached it. */
export function readBy(m: Message, participants: readonly Participant[]): string[] {
  return participants.filter((p) => p.userId !== m.senderId && p.lastReadSeq >= m.seq).map((p) => p.userId);
}
