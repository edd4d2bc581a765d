import type { Socket } from 'socket.io';
import { SUPPORT_DESK_CLIENT_EVENTS, type SupportDeskClientEvent } from '@switchboard/protocol';
import type { Static } from 'typebox';
import type { UserActor } from '../../core/actor.js';
import type { AppError } from '../../core/errors.js';
import { bindSioEvents } from '../../realtime/socketio/bind-sio-events.js';
import type { EdgeServices } from '../../edge-services.js';
import { sessionRoom } from './sio-renderer.js';
import { deskMessage, deskSession, readBy } from './support-desk-shapes.js';

const EVENTS = SUPPORT_DESK_CLIENT_EVENTS;
type EventName = SupportDeskClientEvent;

/** The support desk's error texts for the registry codes its clients meet. */
const TEXTS: Partial<Record<EventName, Partial<Record<AppError['code'], string>>>> = {
  join_session: { conversation_not_found: 'Session not found', not_found: 'Session not found', not_participant: 'Unauthorized to join this session' },
  leave_session: { conversation_not_found: 'Session not found', not_found: 'Session not found', not_participant: 'Session not found' },
  send_message: { conversation_not_found: 'Session not found', not_participant: 'Unauthorized to send to this session' },
  accept_chat: { forbidden: 'Only support agents can accept chats', conversation_not_found: 'Session not found', not_found: 'Session not found' },
  close_chat: { conversation_not_found: 'Session not found', not_found: 'Session not found' },
};

type Handler<E extends EventName> = (data: Static<(typeof EVENTS)[E]>) => Promise<unknown>;

/**
 * Binds the support desk's events on one socket. Each failure is answered with
 * `error {message}` (and through the acknowledgement, when the client asked for one).
 */
export function registerSioHandlers(socket: Socket, actorOf: () => UserActor, services: EdgeServices): void {
  // Read at each event: roles change while the socket is open, and every check must see the new ones.
  let actor = actorOf();
  let user = actor.user;
  const handlers: { [E in EventName]: Handler<E> } = {
    async join_session({ session_id }) {
      // Access first, so a stranger never spends a moment in the room; then the room before the
      // view is read, so nothing said meanwhile is missed.
      await services.support.get(actor, session_id);
      await socket.join(sessionRoom(session_id));
      let view;
      try {
        // The first page is bounded by bytes too, so long messages cannot overflow the socket.
        view = await services.supportRooms.openSession(actor, session_id, socket.id, { maxBytes: Math.floor(services.config.maxBufferedBytes / 4) });
      } catch (error) {
        await socket.leave(sessionRoom(session_id));
        throw error;
      }
      const { users, participants, online } = view;
      socket.emit('session_joined', {
        session: deskSession(view.supportCase, view.conversation),
        messages: view.messages.map((m) => ({
          ...deskMessage(m, m.senderId === null ? undefined : users.get(m.senderId)),
          read_by: readBy(m, participants),
        })),
        participants: participants.map((p) => ({ user_id: p.userId, role: users.get(p.userId)?.roles[0] ?? p.role, name: users.get(p.userId)?.displayName ?? p.userId, online: online.has(p.userId) })),
      });
      return { success: true };
    },

    async leave_session({ session_id }) {
      await services.supportRooms.leaveSession(actor, session_id, socket.id);
      await socket.leave(sessionRoom(session_id));
      return { success: true };
    },

    async send_message({ session_id, content, message_type, temp_id }) {
      const { message } = await services.messages.send(actor, session_id, {
        content,
        ...(message_type !== undefined && { kind: message_type.toLowerCase() }),
        ...(temp_id !== undefined && { clientId: temp_id }),
      }, socket.id);
      const sent = { message_id: message.id, temp_id: temp_id ?? null, sent_at: message.createdAt, seq: message.seq };
      socket.emit('message_sent', sent);
      return { success: true, ...sent };
    },

    async typing({ session_id }) {
      await services.typing.set(actor, session_id, true);
      return { success: true };
    },

    async stop_typing({ session_id }) {
      await services.typing.set(actor, session_id, false);
      return { success: true };
    },

    async mark_as_read({ session_id, message_ids }) {
      const { participant } = await services.messages.markReadMessages(actor, session_id, message_ids ?? undefined, socket.id);
      return { success: true, last_read_seq: participant.lastReadSeq };
    },

    async accept_chat({ session_id }) {
      const accepted = await services.support.accept(actor, session_id);
      await socket.join(sessionRoom(session_id));
      return { success: true, session_id, status: accepted.status };
    },

    async close_chat({ session_id }) {
      const closed = await services.support.setStatus(actor, session_id, 'closed');
      return { success: true, session_id, status: closed.status };
    },
  };

  bindSioEvents(socket, {
    schemas: EVENTS,
    handlers,
    before: () => {
      actor = actorOf();
      user = actor.user;
    },
    textOf: (event, error) => TEXTS[event]?.[error.code] || error.message,
    retryAfterField: 'retry_after',
    logger: services.logger,
  });
}
