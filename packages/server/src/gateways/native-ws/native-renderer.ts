import type { DomainEvent } from '../../bus/domain-event.js';
import { guzoMessage, preview } from './native-shapes.js';
import { presentReaction } from '../../wire/v1-presenters.js';
import { presentNotification } from '../../notifications/notification.presenters.js';
import { OutboundFrame, type WsConnection } from '../../realtime/ws/ws-connection.js';

const frameOf = (payload: unknown) => new OutboundFrame(JSON.stringify(payload));

/**
 * Presence subscriptions the renderer asks of the gateway as membership events arrive. Following
 * conversations, ended sessions and role changes belong to the connection lifecycle, which has
 * applied them before an event reaches the renderer.
 */
export interface MembershipSink {
  /** Start receiving these users' presence (they now share a conversation). */
  watchPresence(connection: WsConnection, userIds: readonly string[]): void;
  /** Stop receiving the presence of users the connection no longer shares a conversation with. */
  refreshPresence(connection: WsConnection): void;
}

const now = () => new Date().toISOString();

/**
 * Turns a domain event into native frames for this node's subscribers. Each distinct frame is
 * serialized once per event and the same string is queued to every recipient.
 */
export function renderToConnections(event: DomainEvent, subscribers: ReadonlySet<WsConnection>, membership: MembershipSink): void {
  switch (event.type) {
    case 'message.created': {
      const { message, conversationId, origin } = event;
      let inRoom: OutboundFrame | undefined;
      let notice: OutboundFrame | undefined;
      for (const c of subscribers) {
        if (c.id === origin) continue;
        if (c.rooms.has(conversationId)) {
          c.send((inRoom ??= frameOf({ type: 'new_message', conversation_id: conversationId, message: guzoMessage(message) })));
        } else if (c.conversations.has(conversationId) && c.userId !== message.senderId) {
          c.send((notice ??= frameOf(notification(conversationId, message.senderId, message.content, message.createdAt, message.seq))));
        }
      }
      return;
    }
    case 'message.updated': {
      const type = event.message.deletedAt !== null ? 'message_deleted' : event.message.hidden ? 'message_hidden' : 'message_edited';
      broadcastToRoom(subscribers, event.conversationId, () => ({ type, conversation_id: event.conversationId, message: guzoMessage(event.message) }));
      return;
    }
    case 'reaction.changed':
      broadcastToRoom(subscribers, event.conversationId, () => ({
        type: 'reaction_updated',
        conversation_id: event.conversationId,
        message_id: event.messageId,
        user_id: event.userId,
        emoji: event.emoji,
        action: event.added ? 'added' : 'removed',
        reactions: event.reactions.map(presentReaction),
      }));
      return;
    case 'typing':
      broadcastToRoom(subscribers, event.conversationId, () => ({ type: 'typing_status', conversation_id: event.conversationId, user_id: event.userId, is_typing: event.isTyping, timestamp: now() }), (c) => c.userId !== event.userId);
      return;
    case 'receipt.read':
      broadcastToRoom(
        subscribers,
        event.conversationId,
        () => ({ type: 'message_read', conversation_id: event.conversationId, user_id: event.userId, message_id: event.messageId ?? null, last_read_seq: event.seq, timestamp: now() }),
        (c) => c.userId !== event.userId || c.id !== event.origin,
        true,
      );
      return;
    case 'receipt.delivered':
      broadcastToRoom(subscribers, event.conversationId, () => ({ type: 'delivery_receipt', conversation_id: event.conversationId, user_id: event.userId, last_delivered_seq: event.seq, timestamp: now() }), (c) => c.userId !== event.userId);
      return;
    case 'conversation.updated':
      broadcastToRoom(subscribers, event.conversation.id, () => ({ type: 'conversation_updated', conversation_id: event.conversation.id, title: event.conversation.title, status: event.conversation.status.toUpperCase(), timestamp: now() }), undefined, true);
      return;
    case 'conversation.created': {
      const { conversation, firstMessage } = event;
      let frame: OutboundFrame | undefined;
      for (const c of subscribers) {
        membership.watchPresence(c, event.participantIds.filter((id) => id !== c.userId));
        if (firstMessage && c.userId !== firstMessage.senderId) {
          c.send((frame ??= frameOf(notification(conversation.id, firstMessage.senderId, firstMessage.content, firstMessage.createdAt, firstMessage.seq))));
        }
      }
      return;
    }
    case 'participant.added':
    case 'participant.removed':
      renderMembership(event, subscribers, membership);
      return;
    case 'presence':
      broadcast(subscribers, () => ({ type: 'presence', user_id: event.userId, status: event.status, last_seen_at: event.lastSeenAt }));
      return;
    case 'support.case_opened':
      broadcast(subscribers, () => ({
        type: 'new_support_conversation',
        conversation_id: event.conversation.id,
        title: event.conversation.title,
        creator_id: event.creator.id,
        creator_name: event.creator.name,
        creator_role: event.creator.role,
        message: `New support conversation from ${event.creator.name}`,
        queue: event.queue,
        timestamp: now(),
      }));
      return;
    case 'support.case_updated': {
      const c = event.supportCase;
      broadcast(subscribers, () => ({
        type: 'support_case_updated',
        conversation_id: c.conversationId,
        change: event.change,
        status: c.status,
        queue: c.queue,
        priority: c.priority,
        agent_id: c.assignedAgentId,
        agent_name: event.agent?.name ?? null,
        assignment_reason: c.assignmentReason,
        by: event.by,
        timestamp: now(),
      }));
      return;
    }
    case 'room.joined':
      broadcast(subscribers, () => ({ type: 'room_notification', room_id: event.room, user_id: event.userId, message: `User ${event.userId} joined ${event.room}`, timestamp: now() }), (c) => c.id !== event.origin);
      return;
    case 'notification.updated':
      // The user's topic reaches only their connections; the check keeps it so if topics change.
      broadcast(subscribers, () => ({ type: 'notification', notification: presentNotification(event.notification) }), (c) => c.userId === event.userId);
      return;
    case 'report.created': {
      const { report } = event;
      broadcast(subscribers, () => ({
        type: 'message_reported',
        report: { id: report.id, message_id: report.messageId, conversation_id: report.conversationId, reporter_id: report.reporterId, reason: report.reason, note: report.note, created_at: report.createdAt },
        message: guzoMessage(event.message),
        open_reporters: event.openReporters,
      }));
      return;
    }
  }
}

function notification(conversationId: string, from: string | null, content: string, at: string, seq: number) {
  return { type: 'message_notification', conversation_id: conversationId, from_user_id: from, preview: preview(content), timestamp: at, seq };
}

function renderMembership(event: Extract<DomainEvent, { type: 'participant.added' | 'participant.removed' }>, subscribers: ReadonlySet<WsConnection>, membership: MembershipSink): void {
  const added = event.type === 'participant.added';
  let roomFrame: OutboundFrame | undefined;
  for (const c of subscribers) {
    // The subject's own connections were told by the lifecycle (conversation_added/removed).
    if (c.userId === event.userId) continue;
    if (added && c.conversations.has(event.conversationId)) membership.watchPresence(c, [event.userId]);
    if (!added && c.watching.has(event.userId)) membership.refreshPresence(c);
    if (!c.rooms.has(event.conversationId)) continue;
    c.send((roomFrame ??= frameOf({ type: added ? 'participant_joined' : 'participant_left', conversation_id: event.conversationId, user_id: event.userId, by: event.by, timestamp: now() })));
  }
}

function broadcastToRoom(subscribers: ReadonlySet<WsConnection>, conversationId: string, build: () => object, include: (c: WsConnection) => boolean = () => true, followersToo = false): void {
  let frame: OutboundFrame | undefined;
  for (const c of subscribers) {
    const member = c.rooms.has(conversationId) || (followersToo && c.conversations.has(conversationId));
    if (member && include(c)) c.send((frame ??= frameOf(build())));
  }
}

function broadcast(subscribers: ReadonlySet<WsConnection>, build: () => object, include: (c: WsConnection) => boolean = () => true): void {
  let frame: OutboundFrame | undefined;
  for (const c of subscribers) if (include(c)) c.send((frame ??= frameOf(build())));
}
