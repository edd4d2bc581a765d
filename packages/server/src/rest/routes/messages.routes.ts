import { Type } from 'typebox';
import { actorOf } from '../authenticate.js';
import { presentMessage, presentReaction } from '../../wire/v1-presenters.js';
import { ErrorBody, MessageJson, ReactionJson } from '@switchboard/protocol';
import { authErrors, IdParam, Strict, type RoutePlugin } from '../route-kit.js';

export const SendMessageBody = Type.Object(
  {
    content: Type.String({ description: 'Text; at most MAX_MESSAGE_LENGTH characters' }),
    kind: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z_]+$' })),
    client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Idempotency key: a retry with the same value returns the original message' })),
    reply_to: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    attachments: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 10, description: 'Ids of your uploads from POST /v1/uploads' })),
  },
  Strict,
);

const Seq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const PageQuery = Type.Object(
  { before_seq: Type.Optional(Seq), after_seq: Type.Optional(Seq), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })) },
  Strict,
);
const ReadBody = Type.Object({ seq: Type.Optional(Seq) }, Strict);
const EditBody = Type.Object({ content: Type.String() }, Strict);
const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }), messageId: Type.String({ minLength: 1, maxLength: 200 }) });
const MessageResponse = Type.Object({ message: MessageJson });
export const Emoji = Type.String({ minLength: 1, maxLength: 32, pattern: '^\\S+$', description: 'An emoji or short reaction name' });
const ReactionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }), messageId: Type.String({ minLength: 1, maxLength: 200 }), emoji: Emoji });
const ReactionsResponse = Type.Object({ message_id: Type.String(), reactions: Type.Array(ReactionJson) });

export const messageRoutes: RoutePlugin = async (app, { services }) => {
  const { messages } = services;

  app.post('/v1/conversations/:id/messages', {
    schema: {
      tags: ['messages'],
      summary: 'Send a message; 201 when written, 200 when a retried client_id returned the original',
      params: IdParam,
      body: SendMessageBody,
      response: { 200: MessageResponse, 201: MessageResponse, 404: ErrorBody, 409: ErrorBody, ...authErrors },
    },
    handler: async (request, reply) => {
      const b = request.body;
      const { message, created } = await messages.send(actorOf(request), request.params.id, {
        content: b.content,
        ...(b.kind !== undefined && { kind: b.kind }),
        ...(b.client_id !== undefined && { clientId: b.client_id }),
        ...(b.reply_to !== undefined && { replyTo: b.reply_to }),
        ...(b.metadata !== undefined && { metadata: b.metadata }),
        ...(b.attachments !== undefined && { attachmentIds: b.attachments }),
      });
      return reply.status(created ? 201 : 200).send({ message: presentMessage(message) });
    },
  });

  app.get('/v1/conversations/:id/messages', {
    schema: {
      tags: ['messages'],
      summary: 'A page of messages in seq order: after_seq pages forward, before_seq (or nothing) pages back from the newest',
      params: IdParam,
      querystring: PageQuery,
      response: { 200: Type.Object({ messages: Type.Array(MessageJson), has_more: Type.Boolean() }), 404: ErrorBody, ...authErrors },
    },
    handler: async (request) => {
      const q = request.query;
      const page = await messages.page(actorOf(request), request.params.id, {
        limit: q.limit ?? 50,
        ...(q.before_seq !== undefined && { beforeSeq: q.before_seq }),
        ...(q.after_seq !== undefined && { afterSeq: q.after_seq }),
      });
      return { messages: page.messages.map(presentMessage), has_more: page.hasMore };
    },
  });

  app.post('/v1/conversations/:id/read', {
    schema: {
      tags: ['messages'],
      summary: 'Move your read pointer forward to seq (or to the newest message)',
      params: IdParam,
      body: ReadBody,
      response: { 200: Type.Object({ conversation_id: Type.String(), last_read_seq: Type.Integer(), unread_count: Type.Integer() }), 404: ErrorBody, ...authErrors },
    },
    handler: async (request) => {
      const { participant, unreadCount } = await messages.markRead(actorOf(request), request.params.id, request.body?.seq);
      return { conversation_id: request.params.id, last_read_seq: participant.lastReadSeq, unread_count: unreadCount };
    },
  });

  app.patch('/v1/conversations/:id/messages/:messageId', {
    schema: { tags: ['messages'], summary: 'Edit your own message', params: MessageParams, body: EditBody, response: { 200: MessageResponse, 404: ErrorBody, ...authErrors } },
    handler: async (request) => ({ message: presentMessage(await messages.edit(actorOf(request), request.params.id, request.params.messageId, request.body.content)) }),
  });

  app.delete('/v1/conversations/:id/messages/:messageId', {
    schema: { tags: ['messages'], summary: 'Delete your own message (moderators: anyone’s)', params: MessageParams, response: { 200: MessageResponse, 404: ErrorBody, ...authErrors } },
    handler: async (request) => ({ message: presentMessage(await messages.delete(actorOf(request), request.params.id, request.params.messageId)) }),
  });

  for (const [method, add] of [['PUT', true], ['DELETE', false]] as const) {
    app.route({
      method,
      url: '/v1/conversations/:id/messages/:messageId/reactions/:emoji',
      schema: { tags: ['messages'], summary: add ? 'Add your reaction' : 'Remove your reaction', params: ReactionParams, response: { 200: ReactionsResponse, 404: ErrorBody, ...authErrors } },
      handler: async (request) => {
        const p = request.params;
        const reactions = await messages.react(actorOf(request), p.id, p.messageId, p.emoji, add);
        return { message_id: p.messageId, reactions: reactions.map(presentReaction) };
      },
    });
  }
};
