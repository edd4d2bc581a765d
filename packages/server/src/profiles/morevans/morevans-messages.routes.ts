import { MorevansBulkReadBody, MorevansMessagesQuery, MorevansRoomParam, MorevansSendBody } from '@switchboard/protocol';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { UserActor } from '../../core/actor.js';
import type { EdgeServices } from '../../edge-services.js';
import { userActorOf } from '../../rest/authenticate.js';
import type { RoutePlugin } from '../../rest/route-kit.js';
import { checkPage, drfPage, pageOf } from './drf-page.js';
import { normaliseId } from './morevans-shapes.js';
import { renderChatMessages } from './render-chat.js';

/** Rooms counted for the unread total; a user in more reaches the rest room by room. */
const MAX_COUNTED = 1000;

/**
 * One room's messages, oldest first, in DRF pages. Sequence numbers are gap-free, so page `n`
 * is exactly seqs `(n-1)·size+1 … n·size` and the count is the room's last seq (hidden messages
 * keep their place as tombstones).
 */
async function roomPage(services: EdgeServices, request: FastifyRequest, actor: UserActor, rawRoom: string | undefined, query: { page?: number | undefined; page_size?: number | undefined }) {
  if (rawRoom === undefined) throw new AppError('validation_failed', 'room_id is required', [{ path: '/room_id', message: 'required' }]);
  const roomId = normaliseId(rawRoom);
  const page = pageOf(query);
  const { conversation, summary } = await services.conversations.get(actor, roomId);
  checkPage(page, conversation.lastSeq);
  const { messages } = await services.messages.page(actor, roomId, { afterSeq: (page.page - 1) * page.size, limit: page.size });
  const reader = { userId: actor.user.id, lastReadSeq: summary?.participant.lastReadSeq ?? 0 };
  return drfPage(request, page, conversation.lastSeq, await renderChatMessages(services.directory, messages, reader));
}

/** MoreVans' chat messages under `/api/v1/chat-messages/`, and `/api/v1/chat/status/`. */
export const morevansMessageRoutes: RoutePlugin = async (app, { services }) => {
  app.get('/api/v1/chat-messages/', {
    schema: { tags: ['morevans'], summary: "A room's messages, oldest first (DRF pages of 50, page_size ≤ 100); chat_room is required", querystring: MorevansMessagesQuery },
    handler: async (request) => roomPage(services, request, userActorOf(request), request.query.chat_room ?? request.query.room_id, request.query),
  });

  app.get('/api/v1/chat-messages/by_room/', {
    schema: { tags: ['morevans'], summary: "A room's messages, oldest first (DRF pages)", querystring: MorevansMessagesQuery },
    handler: async (request) => roomPage(services, request, userActorOf(request), request.query.room_id ?? request.query.chat_room, request.query),
  });

  app.post('/api/v1/chat-messages/', {
    schema: { tags: ['morevans'], summary: 'Send a message (arrives live on every transport); attachment is an upload id from POST /v1/uploads', body: MorevansSendBody },
    handler: async (request, reply) => {
      const actor = userActorOf(request);
      const b = request.body;
      const roomId = normaliseId(b.chat_room);
      const attachmentIds = b.attachment ? [b.attachment] : [];
      // With a file and no stated type, its bytes decide between image and file.
      const kind = b.message_type === undefined || (b.message_type === 'text' && attachmentIds.length > 0) ? undefined : b.message_type;
      const { message } = await services.messages.send(actor, roomId, {
        content: b.content ?? '',
        ...(kind !== undefined && { kind }),
        replyTo: b.reply_to == null ? null : normaliseId(b.reply_to),
        attachmentIds,
      });
      const [rendered] = await renderChatMessages(services.directory, [message], { userId: actor.user.id, lastReadSeq: 0 });
      return reply.status(201).send(rendered);
    },
  });

  app.post('/api/v1/chat-messages/bulk_mark_as_read/', {
    schema: { tags: ['morevans'], summary: "Mark messages as read (each room's pointer moves to the newest of them)", body: MorevansBulkReadBody },
    handler: async (request) => ({ status: 'Messages marked as read', marked_count: await services.messages.markReadByIds(userActorOf(request), request.body.message_ids.map(normaliseId)) }),
  });

  app.get('/api/v1/chat-messages/unread_count/', {
    schema: { tags: ['morevans'], summary: "Unread messages over all the caller's rooms" },
    handler: async (request) => {
      const rooms = await services.conversations.list(userActorOf(request), { limit: MAX_COUNTED });
      return { unread_count: rooms.reduce((n, s) => n + s.unreadCount, 0) };
    },
  });

  app.post('/api/v1/chat-messages/:id/mark_as_read/', {
    schema: { tags: ['morevans'], summary: 'Mark a message (and everything before it in its room) as read', params: MorevansRoomParam },
    handler: async (request) => {
      const { conversationId } = await services.messages.markReadById(userActorOf(request), normaliseId(request.params.id));
      return { status: 'Message marked as read', chat_room: conversationId };
    },
  });

  app.get('/api/v1/chat/status/', {
    schema: { tags: ['morevans'], summary: "The chat system's status as the caller sees it" },
    handler: async (request) => {
      const actor = userActorOf(request);
      const rooms = await services.conversations.list(actor, { limit: MAX_COUNTED });
      return {
        status: 'online',
        user_id: actor.user.id,
        total_rooms: rooms.length,
        active_rooms: rooms.filter((s) => s.conversation.status !== 'closed').length,
        unread_count: rooms.reduce((n, s) => n + s.unreadCount, 0),
        timestamp: new Date().toISOString(),
      };
    },
  });
};
