import type { Server } from 'socket.io';
import type { DomainEvent } from '../../bus/domain-event.js';
import type { Directory } from '../../edge-services.js';
import { roomAudience } from '../../realtime/socketio/room-audience.js';
import { renderTripMessages } from './render-trip-messages.js';

/** The room of a trip's conversation, which `join:conversation` puts a socket in. */
export const tripRoom = (conversationId: string) => `conversation:${conversationId}`;

/**
 * Renders a trip conversation's events as StepperGO's Socket.IO events, once per room. Rendering
 * a message needs its sender's name and trip role, so events go through one queue to keep
 * their order.
 */
export class SteppergoRenderer {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly io: Server,
    private readonly directory: Directory,
  ) {}

  /** Settles when this event is emitted; a failure is the caller's to report and never stops the next. */
  render(event: DomainEvent): Promise<void> {
    const emitted = this.chain.then(() => this.emit(event));
    this.chain = emitted.catch(() => undefined);
    return emitted;
  }

  private async emit(event: DomainEvent): Promise<void> {
    const local = this.io.local;
    switch (event.type) {
      case 'message.created': {
        // Just committed: nobody else has it yet, so it goes out as SENT.
        const [message] = await renderTripMessages(this.directory, event.conversationId, [event.message], false);
        // A shadowed message reaches only the users it is meant for (its sender).
        roomAudience(this.io, tripRoom(event.conversationId), event.onlyTo).emit('message:new', message);
        return;
      }
      case 'message.updated': {
        // Not in the document: an edit, a deletion or a moderator's hide, so clients can redraw it.
        const [message] = await renderTripMessages(this.directory, event.conversationId, [event.message]);
        roomAudience(this.io, tripRoom(event.conversationId), event.onlyTo).emit('message:updated', message);
        return;
      }
      case 'typing':
        local
          .to(tripRoom(event.conversationId))
          .except(`user:${event.userId}`)
          .emit(event.isTyping ? 'typing:start' : 'typing:stop', event.isTyping ? { userId: event.userId, userName: event.userName, conversationId: event.conversationId } : { userId: event.userId, conversationId: event.conversationId });
        return;
      case 'receipt.read':
        local.to(tripRoom(event.conversationId)).except(`user:${event.userId}`).emit('messages:read', { userId: event.userId, conversationId: event.conversationId, lastReadSeq: event.seq });
        return;
      default:
        return;
    }
  }
}
