import type { Server } from 'socket.io';
import type { DomainEvent } from '../../bus/domain-event.js';
import type { User } from '../../core/model.js';
import { roomAudience } from '../../realtime/socketio/room-audience.js';
import type { Directory } from '../../edge-services.js';
import { deskMessage, deskSession } from './support-desk-shapes.js';

export const sessionRoom = (id: string) => `session:${id}`;
/**
 * The connected agents who follow a queue's feed (`SupportQueues.feedFor`): one room per queue,
 * so no agent hears of another system's cases.
 */
export const agentsRoom = (queue: string) => `agents:${queue}`;

/**
 * Renders domain events as the support desk's Socket.IO events. Each event is emitted once to a
 * room (Socket.IO encodes the packet once for all its sockets). Rendering may need the sender's
 * name, so events go through one queue to keep their order.
 */
export class SioRenderer {
  private chain: Promise<void> = Promise.resolve();
  private readonly users = new Map<string, Pick<User, 'roles' | 'displayName'>>();

  constructor(
    private readonly io: Server,
    private readonly store: Directory,
  ) {}

  /**
   * `topic` tells a case's own room (conversation topic) from the agents' feed (queue topic).
   * Settles when this event is emitted; a failure is the caller's to report, and never stops
   * the events after it.
   */
  render(event: DomainEvent, topic: string): Promise<void> {
    const feed = topic.startsWith('queue:') ? agentsRoom(topic.slice('queue:'.length)) : undefined;
    const emitted = this.chain.then(() => this.emit(event, feed));
    this.chain = emitted.catch(() => undefined);
    return emitted;
  }

  /** A session's room, or only its sockets of the users an event is meant for (`roomAudience`). */
  private audience(conversationId: string, onlyTo: readonly string[] | undefined) {
    return roomAudience(this.io, sessionRoom(conversationId), onlyTo);
  }

  /** `feed` is the agents' room when the event came from a queue's topic. */
  private async emit(event: DomainEvent, feed: string | undefined): Promise<void> {
    const local = this.io.local;
    switch (event.type) {
      case 'message.created':
        this.audience(event.conversationId, event.onlyTo).emit('new_message', { message: deskMessage(event.message, await this.user(event.message.senderId)) });
        return;
      case 'message.updated':
        this.audience(event.conversationId, event.onlyTo).emit(event.message.deletedAt ? 'message_deleted' : event.message.hidden ? 'message_hidden' : 'message_edited', { message: deskMessage(event.message, await this.user(event.message.senderId)) });
        return;
      case 'typing':
        local
          .to(sessionRoom(event.conversationId))
          .except(`user:${event.userId}`)
          .emit(event.isTyping ? 'user_typing' : 'typing_stopped', event.isTyping ? { session_id: event.conversationId, user_id: event.userId, user_name: event.userName } : { session_id: event.conversationId, user_id: event.userId });
        return;
      case 'receipt.read':
        local.to(sessionRoom(event.conversationId)).emit('messages_read', {
          session_id: event.conversationId,
          user_id: event.userId,
          ...(event.messageIds !== undefined && { message_ids: event.messageIds }),
          last_read_seq: event.seq,
        });
        return;
      case 'session.member':
        local
          .to(sessionRoom(event.conversationId))
          .except(`user:${event.userId}`)
          .emit(event.joined ? 'user_joined' : 'user_left', event.joined ? { user_id: event.userId, role: event.role, name: event.name } : { user_id: event.userId, role: event.role });
        return;
      case 'support.case_updated': {
        const { supportCase: c } = event;
        const conversation = await this.store.conversations.byId(c.conversationId);
        if (!conversation) return;
        const session = deskSession(c, conversation);
        const targets = feed !== undefined ? local.to(feed).except(sessionRoom(c.conversationId)) : local.to(sessionRoom(c.conversationId));
        if (event.change === 'accepted' || event.change === 'assigned') {
          targets.emit('chat_accepted', { session, agent_id: c.assignedAgentId, agent_name: event.agent?.name ?? null });
        }
        if (event.change === 'closed') targets.emit('chat_closed', { session, closed_by: event.by });
        if (event.change !== 'rated') targets.emit('session_status_changed', { session_id: c.conversationId, status: c.status, agent_id: c.assignedAgentId });
        return;
      }
      case 'support.case_opened':
        if (feed === undefined) return;
        local.to(feed).emit('new_session', { session_id: event.conversation.id, subject: event.conversation.title, queue: event.queue, customer_id: event.creator.id, customer_name: event.creator.name });
        return;
      default:
        return;
    }
  }

  private async user(id: string | null): Promise<Pick<User, 'roles' | 'displayName'> | undefined> {
    if (id === null) return undefined;
    const cached = this.users.get(id);
    if (cached) return cached;
    const user = await this.store.users.byId(id);
    if (!user) return undefined;
    if (this.users.size > 10_000) this.users.clear();
    this.users.set(id, { roles: user.roles, displayName: user.displayName });
    return user;
  }
}
