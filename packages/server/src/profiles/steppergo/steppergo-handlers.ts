import type { Socket } from 'socket.io';
import { STEPPERGO_CLIENT_EVENTS, type SteppergoClientEvent } from '@switchboard/protocol';
import type { Static } from 'typebox';
import type { UserActor } from '../../core/actor.js';
import { bindSioEvents } from '../../realtime/socketio/bind-sio-events.js';
import type { EdgeServices } from '../../edge-services.js';
import { steppergoText } from './steppergo-error-shape.js';
import { toSendInput, TRIP } from './steppergo-input.js';
import { tripRoom } from './steppergo-renderer.js';

const EVENTS = STEPPERGO_CLIENT_EVENTS;
type EventName = SteppergoClientEvent;
type Handler<E extends EventName> = (data: Static<(typeof EVENTS)[E]>) => Promise<unknown>;

/**
 * Binds StepperGO's events on one socket. Each failure is answered with `error {message}` (plus
 * the registry `code` and the event), and through the acknowledgement when the client asked.
 */
export function registerSteppergoHandlers(socket: Socket, actorOf: () => UserActor, services: EdgeServices): void {
  // Read at each event: roles change while the socket is open, and every check must see the new ones.
  let actor = actorOf();
  const handlers: { [E in EventName]: Handler<E> } = {
    async 'join:conversation'({ tripId }) {
      // Access first, so a stranger never spends a moment in the room.
      const { conversation } = await services.contexts.enter(actor, { type: TRIP, id: tripId });
      await socket.join(tripRoom(conversation.id));
      const joined = { conversationId: conversation.id, tripId };
      socket.emit('conversation:joined', joined);
      return { success: true, ...joined };
    },

    async 'message:send'(data) {
      const { message } = await services.messages.send(actor, data.conversationId, toSendInput(data), socket.id);
      const sent = { messageId: message.id, tempId: data.metadata?.tempId ?? null };
      socket.emit('message:sent', sent);
      return { success: true, ...sent, seq: message.seq };
    },

    async 'typing:start'({ conversationId }) {
      await services.typing.set(actor, conversationId, true);
      return { success: true };
    },

    async 'typing:stop'({ conversationId }) {
      await services.typing.set(actor, conversationId, false);
      return { success: true };
    },

    async 'messages:read'({ conversationId }) {
      const { participant, unreadCount } = await services.messages.markRead(actor, conversationId, undefined, { origin: socket.id });
      return { success: true, lastReadSeq: participant.lastReadSeq, unreadCount };
    },
  };

  bindSioEvents(socket, {
    schemas: EVENTS,
    handlers,
    before: () => {
      actor = actorOf();
    },
    textOf: (_event, error) => steppergoText(error),
    retryAfterField: 'retryAfter',
    logger: services.logger,
  });
}
