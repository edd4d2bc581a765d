import { MorevansByContextQuery, MorevansCreateOrGetBody, MorevansCreateRoomBody, MorevansParticipantBody, MorevansRoomParam } from '@switchboard/protocol';
import { Type } from 'typebox';
import type { Actor } from '../../core/actor.js';
import { AppError } from '../../core/errors.js';
import type { Conversation } from '../../core/model.js';
import type { EdgeServices } from '../../edge-services.js';
import { actorOf, userActorOf } from '../../rest/authenticate.js';
import type { RoutePlugin } from '../../rest/route-kit.js';
import { checkPage, drfPage, pageOf } from './drf-page.js';
import { contextOf, contextTypeOf, conversationTypeOf, normaliseId } from './morevans-shapes.js';
import { renderChatRoom } from './render-chat.js';

const PageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1 })), page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) });
/** Rooms a list shows at most; older ones are reached by id. */
const MAX_LISTED = 1000;

/** A room as the caller sees it (monitors and queue staff read it without an unread count). */
async function roomFor(services: EdgeServices, actor: Actor, conversation: Conversation) {
  const userId = actor.kind === 'user' ? actor.user.id : '';
  const summary = actor.kind === 'user' ? await services.directory.conversations.summaryFor(conversation.id, userId) : undefined;
  return renderChatRoom(services.directory, conversation, summary, userId);
}

/**
 * MoreVans' chat rooms under `/api/v1/chat-rooms/`. A room tied to a host object (a request, a
 * job, a bid) is the host app's: it registers its people (or answers the access check), and a
 * user enters with `create_or_get/`, never creates one. Rooms without an object (`general`,
 * `provider_customer`) are created by users their roles allow; `support` rooms are support cases.
 */
export const morevansRoomRoutes: RoutePlugin = async (app, { services }) => {
  app.get('/api/v1/chat-rooms/', {
    schema: { tags: ['morevans'], summary: "The caller's chat rooms, most recent activity first (DRF pages)", querystring: PageQuery },
    handler: async (request) => {
      const actor = userActorOf(request);
      const page = pageOf(request.query);
      const all = await services.conversations.list(actor, { limit: MAX_LISTED });
      checkPage(page, all.length);
      const slice = all.slice((page.page - 1) * page.size, page.page * page.size);
      const results = await Promise.all(slice.map((s) => renderChatRoom(services.directory, s.conversation, s, actor.user.id)));
      return drfPage(request, page, all.length, results);
    },
  });

  app.post('/api/v1/chat-rooms/', {
    schema: { tags: ['morevans'], summary: 'Create a room: general and provider_customer by users, support as a support case, host-object rooms by the host app', body: MorevansCreateRoomBody },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const b = request.body;
      const participants = (b.participants_ids ?? []).map((id) => ({ userId: String(id) }));
      let conversation: Conversation;
      if (b.room_type === 'support') {
        if (actor.kind !== 'user') throw new AppError('forbidden', 'A support room is opened by the customer who needs help');
        conversation = (await services.support.open(actor, { subject: b.name?.trim() || 'Support chat' })).conversation;
      } else {
        const model = b.related_model ?? (b.related_id != null ? contextTypeOf(b.room_type) : undefined);
        if (b.related_id != null && model === undefined) throw new AppError('validation_failed', 'related_model is required for this room type', [{ path: '/related_model', message: 'required with related_id' }]);
        if (model != null && b.related_id == null) throw new AppError('validation_failed', 'related_id is required with related_model', [{ path: '/related_id', message: 'required with related_model' }]);
        const context = model != null && b.related_id != null ? contextOf(model, b.related_id) : null;
        // A host object's context is the host app's: ConversationService refuses anyone else.
        ({ conversation } = await services.conversations.create(actor, {
          type: conversationTypeOf(b.room_type),
          title: b.name ?? null,
          context,
          participants,
          metadata: { is_private: b.is_private ?? true },
        }));
      }
      return reply.status(201).send(await roomFor(services, actor, conversation));
    },
  });

  app.get('/api/v1/chat-rooms/by_context/', {
    schema: { tags: ['morevans'], summary: "The rooms of a host object the caller may read (none when it has no room or it is not the caller's)", querystring: MorevansByContextQuery },
    handler: async (request) => {
      const actor = actorOf(request);
      const conversation = await services.conversations.byContext(actor, contextOf(request.query.type, request.query.id)).catch((error: unknown) => {
        // Unknown and unreadable look alike: an empty list, as a filtered queryset would be.
        if (error instanceof AppError && error.code === 'conversation_not_found') return undefined;
        throw error;
      });
      return conversation ? [await roomFor(services, actor, conversation)] : [];
    },
  });

  app.post('/api/v1/chat-rooms/create_or_get/', {
    schema: { tags: ['morevans'], summary: "Enter a host object's room: as a participant the host registered, or as the host's access check allows (created then)", body: MorevansCreateOrGetBody },
    handler: async (request) => {
      const actor = userActorOf(request);
      const b = request.body;
      const model = b.related_model ?? (b.room_type ? contextTypeOf(b.room_type) : undefined);
      if (model === undefined) throw new AppError('validation_failed', 'related_model (or a room_type of request, job or bidding) is required', [{ path: '/related_model', message: 'required' }]);
      const { conversation } = await services.contexts.enter(actor, contextOf(model, b.related_id));
      return roomFor(services, actor, conversation);
    },
  });

  app.get('/api/v1/chat-rooms/:id/', {
    schema: { tags: ['morevans'], summary: 'One room', params: MorevansRoomParam },
    handler: async (request) => {
      const actor = actorOf(request);
      const { conversation } = await services.conversations.get(actor, normaliseId(request.params.id));
      return roomFor(services, actor, conversation);
    },
  });

  app.post('/api/v1/chat-rooms/:id/add_participant/', {
    schema: { tags: ['morevans'], summary: "Add a participant (the room's owner, managers, the host app)", params: MorevansRoomParam, body: MorevansParticipantBody },
    handler: async (request) => {
      const userId = String(request.body.user_id);
      const { created } = await services.conversations.addParticipant(actorOf(request), normaliseId(request.params.id), userId);
      return { status: created ? 'Participant added' : 'Already a participant', user_id: userId };
    },
  });

  app.post('/api/v1/chat-rooms/:id/remove_participant/', {
    schema: { tags: ['morevans'], summary: 'Remove a participant, or leave', params: MorevansRoomParam, body: MorevansParticipantBody },
    handler: async (request) => {
      const userId = String(request.body.user_id);
      await services.conversations.removeParticipant(actorOf(request), normaliseId(request.params.id), userId);
      return { status: 'Participant removed', user_id: userId };
    },
  });
};
