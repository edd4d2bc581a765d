import type { DomainEvent } from '../../bus/domain-event.js';
import type { Directory } from '../../edge-services.js';
import { OutboundFrame } from '../../realtime/ws/ws-connection.js';
import type { MorevansConnection } from './morevans-connection.js';
import { renderChatMessages } from './render-chat.js';
import { presentNotification } from '../../notifications/notification.presenters.js';

const frameOf = (payload: unknown) => new OutboundFrame(JSON.stringify(payload));

/** Whether a user has a room's socket open on this node (their notifications then stay quiet). */
export type ViewingCheck = (userId: string, conversationId: string) => boolean;

/**
 * Renders events as MoreVans frames: a room's events to its per-room sockets, and new messages
 * to the notifications sockets of participants who are not in that room. Rendering a message
 * needs its sender and the message it replies to, so events go through one queue, in order.
 * Each frame is encoded once for all its recipients.
 */
export class MorevansRenderer {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly directory: Directory,
    private readonly viewing: ViewingCheck,
  ) {}

  /** Settles when the event is written; a failure is the caller's to report and never stops the next. */
  render(event: DomainEvent, subscribers: ReadonlySet<MorevansConnection>): Promise<void> {
    const recipients = [...subscribers];
    const done = this.chain.then(() => this.emit(event, recipients));
    this.chain = done.catch(() => undefined);
    return done;
  }

  private async emit(event: DomainEvent, recipients: readonly MorevansConnection[]): Promise<void> {
    switch (event.type) {
      case 'message.created':
        return this.message(event.conversationId, event.message, recipients);
      case 'message.updated': {
        // Not in the document: an edit, a deletion or a moderator's hide, so clients can redraw it.
        const [message] = await renderChatMessages(this.directory, [event.message]);
        inRoom(recipients, event.conversationId, frameOf({ type: 'message_updated', message }));
        return;
      }
      case 'typing':
        inRoom(recipients, event.conversationId, frameOf({ type: 'typing_indicator', user: event.userName, user_id: event.userId, is_typing: event.isTyping }), (c) => c.userId !== event.userId);
        return;
      case 'receipt.read': {
        const ids = event.messageIds ?? (event.messageId !== undefined ? [event.messageId] : []);
        inRoom(recipients, event.conversationId, frameOf({ type: 'messages_read', user_id: event.userId, message_ids: ids, last_read_seq: event.seq }), (c) => c.userId !== event.userId);
        return;
      }
      case 'session.member':
        inRoom(recipients, event.conversationId, frameOf({ type: event.joined ? 'user_joined' : 'user_left', user: event.name, user_id: event.userId }), (c) => c.userId !== event.userId);
        return;
      case 'notification.updated': {
        // Not in the document: the in-app feed's entry, as the native socket's `notification`.
        const frame = frameOf({ type: 'notification', notification: presentNotification(event.notification) });
        for (const c of recipients) if (c.room === undefined && c.userId === event.userId) c.send(frame);
        return;
      }
      default:
        return;
    }
  }

  private async message(conversationId: string, stored: Parameters<typeof renderChatMessages>[1][number], recipients: readonly MorevansConnection[]): Promise<void> {
    const system = stored.kind === 'system';
    const inTheRoom = recipients.filter((c) => c.room === conversationId);
    // A business event concerns every participant, whichever room they have open; a chat
    // message only those who are elsewhere, and never its sender.
    const elsewhere = recipients.filter((c) => c.room === undefined && c.conversations.has(conversationId) && (system || (c.userId !== stored.senderId && !this.viewing(c.userId, conversationId))));
    // Other rooms' sockets follow this conversation too: nothing to look up when none shows it.
    if (inTheRoom.length === 0 && elsewhere.length === 0) return;
    const [message] = await renderChatMessages(this.directory, [stored]);
    // The whole room, sender included: the sender's client shows the message as the server has it.
    const roomFrame = frameOf(system ? { type: 'system_message', message } : { type: 'chat_message', message });
    for (const c of inTheRoom) c.send(roomFrame);
    if (elsewhere.length === 0) return;
    const notice = frameOf(system ? { type: 'system_notification', chat_room_id: conversationId, message } : { type: 'chat_notification', chat_room_id: conversationId, message, sender: message!.sender_data });
    for (const c of elsewhere) c.send(notice);
  }
}

function inRoom(recipients: readonly MorevansConnection[], conversationId: string, frame: OutboundFrame, include: (c: MorevansConnection) => boolean = () => true): void {
  for (const c of recipients) if (c.room === conversationId && include(c)) c.send(frame);
}
