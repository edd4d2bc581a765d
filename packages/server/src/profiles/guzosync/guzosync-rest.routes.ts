import { GuzoIdParam, GuzoLogin, GuzoCreateBody, GuzoSupportBody, GuzoSendBody, GuzoPaging } from '@switchboard/protocol';
import { useErrorShape } from '../../rest/error-shape.js';
import { guzosyncErrorShape } from './guzosync-error-shape.js';
import { actorOf, userActorOf } from '../../rest/authenticate.js';
import type { RoutePlugin } from '../../rest/route-kit.js';
import { guzoConversation, guzoMessage } from '../../gateways/native-ws/native-shapes.js';
import { guzoConversationList } from '../../gateways/native-ws/guzo-conversation-list.js';

/**
 * GuzoSync's REST surface, verbatim: `POST /api/accounts/login` and `/api/conversations/...`,
 * errors as FastAPI writes them (`{"detail": ...}`, validation as a list of `{loc, msg, type}`).
 */
export const guzosyncRestRoutes: RoutePlugin = async (app, { services }) => {
  useErrorShape(app, guzosyncErrorShape);

  app.post('/api/accounts/login', {
    config: { auth: false },
    schema: { tags: ['guzosync'], summary: 'GuzoSync login', body: GuzoLogin },
    handler: async (request) => {
      const { accessToken, user } = await services.auth.login(request.body.email, request.body.password, { address: request.ip });
      return { access_token: accessToken, token_type: 'bearer', role: user.roles[0] ?? null };
    },
  });

  app.get('/api/conversations', {
    schema: { tags: ['guzosync'], summary: "The caller's conversations" },
    handler: async (request) => guzoConversationList(services.directory, await services.conversations.list(actorOf(request), { limit: 100 })),
  });

  app.post('/api/conversations/create', {
    schema: { tags: ['guzosync'], summary: 'Create a conversation', body: GuzoCreateBody },
    handler: async (request, reply) => {
      const ids = [...(request.body.participant_ids ?? []), ...(request.body.participants ?? [])];
      const { conversation } = await services.conversations.create(actorOf(request), { type: 'general', title: request.body.title ?? null, participants: ids.map((userId) => ({ userId })) });
      const users = await services.directory.users.byIds((await services.directory.conversations.participants(conversation.id)).map((p) => p.userId));
      return reply.status(201).send(guzoConversation(conversation, users, null));
    },
  });

  app.post('/api/conversations/create-support', {
    schema: { tags: ['guzosync'], summary: 'Open a support conversation with the control center', body: GuzoSupportBody },
    handler: async (request, reply) => {
      const result = await services.support.open(actorOf(request), { subject: request.body.title, title: `Support: ${request.body.title}`, content: request.body.content, addAllStaff: true });
      return reply.status(201).send({
        success: true,
        message: 'Support conversation created successfully',
        conversation_id: result.conversation.id,
        title: result.conversation.title,
        participants: [result.conversation.createdBy, ...result.staff.map((u) => u.id)],
        timestamp: result.conversation.createdAt,
      });
    },
  });

  app.get('/api/conversations/stats', {
    schema: { tags: ['guzosync'], summary: "Counts over the caller's conversations" },
    handler: async (request) => {
      const summaries = await services.directory.conversations.listForUser({ userId: userActorOf(request).user.id, limit: 10_000 });
      const active = summaries.filter((s) => s.conversation.status === 'active').length;
      return {
        total_conversations: summaries.length,
        active_conversations: active,
        closed_conversations: summaries.length - active,
        total_messages: summaries.reduce((n, s) => n + s.conversation.lastSeq, 0),
        unread_messages: summaries.reduce((n, s) => n + s.unreadCount, 0),
      };
    },
  });

  app.get('/api/conversations/:id/messages', {
    schema: { tags: ['guzosync'], summary: 'Newest messages after skip, oldest first', params: GuzoIdParam, querystring: GuzoPaging },
    handler: async (request) => {
      const messages = await services.messages.window(actorOf(request), request.params.id, request.query.skip ?? 0, request.query.limit ?? 50);
      return messages.map(guzoMessage);
    },
  });

  app.post('/api/conversations/:id/messages', {
    schema: { tags: ['guzosync'], summary: 'Send a message', params: GuzoIdParam, body: GuzoSendBody },
    handler: async (request, reply) => {
      const kind = request.body.message_type?.toLowerCase();
      const { message } = await services.messages.send(actorOf(request), request.params.id, { content: request.body.content, ...(kind !== undefined && { kind }) });
      return reply.status(201).send(guzoMessage(message));
    },
  });

  app.post('/api/conversations/:id/close', {
    schema: { tags: ['guzosync'], summary: 'Close a conversation', params: GuzoIdParam },
    handler: async (request) => {
      const actor = userActorOf(request);
      const conversation = await services.support.closeConversation(actor, request.params.id);
      return { success: true, message: 'Conversation closed', conversation_id: conversation.id, closed_by: actor.user.id, status: 'CLOSED' };
    },
  });
};
