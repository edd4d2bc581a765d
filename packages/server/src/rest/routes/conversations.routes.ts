import { Type } from 'typebox';
import { actorOf } from '../authenticate.js';
import { presentConversation, presentParticipant, presentSummary } from '../../wire/v1-presenters.js';
import { ContextEventBody, ConversationJson, ErrorBody, MessageJson, ParticipantJson } from '@switchboard/protocol';
import { presentMessage } from '../../wire/v1-presenters.js';
import { authErrors, IdParam, Strict, type RoutePlugin } from '../route-kit.js';

const Slug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
const Title = Type.Union([Type.String({ maxLength: 300 }), Type.Null()]);
const Metadata = Type.Record(Type.String(), Type.Unknown());
const ParticipantInput = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 200 }), role: Type.Optional(Slug) }, Strict);
const Context = Type.Object({ type: Slug, id: Type.String({ minLength: 1, maxLength: 200 }) }, Strict);

const CreateBody = Type.Object(
  {
    type: Type.Optional(Slug),
    title: Type.Optional(Title),
    context: Type.Optional(Context),
    participants: Type.Optional(Type.Array(ParticipantInput, { maxItems: 500 })),
    participant_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 })),
    metadata: Type.Optional(Metadata),
  },
  Strict,
);

const EnsureBody = Type.Object(
  {
    type: Type.Optional(Slug),
    title: Type.Optional(Title),
    participants: Type.Optional(Type.Array(ParticipantInput, { maxItems: 500 })),
    metadata: Type.Optional(Metadata),
  },
  Strict,
);

const ContextParams = Type.Object({ type: Slug, id: Type.String({ minLength: 1, maxLength: 200 }) });
const ListQuery = Type.Object(
  {
    status: Type.Optional(Slug),
    type: Type.Optional(Slug),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    before: Type.Optional(Type.String({ maxLength: 40, description: 'Cursor: last_activity of the last item of the previous page' })),
  },
  Strict,
);
const PatchBody = Type.Object({ title: Type.Optional(Title), status: Type.Optional(Slug), metadata: Type.Optional(Metadata) }, Strict);
const AddParticipantBody = ParticipantInput;
const ParticipantParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }), userId: Type.String({ minLength: 1, maxLength: 200 }) });

const ConversationResponse = Type.Object({ conversation: ConversationJson });

type ParticipantBody = { user_id: string; role?: string | undefined };
const toParticipants = (list: readonly ParticipantBody[] = [], ids: readonly string[] = []) => [
  ...list.map((p) => ({ userId: p.user_id, ...(p.role !== undefined && { role: p.role }) })),
  ...ids.map((userId) => ({ userId })),
];

export const conversationRoutes: RoutePlugin = async (app, { services }) => {
  const { conversations } = services;

  app.get('/v1/conversations', {
    schema: {
      tags: ['conversations'],
      summary: 'Your conversations, most recent activity first, with unread counts and last message',
      querystring: ListQuery,
      response: { 200: Type.Object({ conversations: Type.Array(ConversationJson), next_before: Type.Union([Type.String(), Type.Null()]) }), ...authErrors },
    },
    handler: async (request) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      const list = await conversations.list(actorOf(request), { limit, ...(q.status && { status: q.status }), ...(q.type && { type: q.type }), ...(q.before && { before: q.before }) });
      const last = list.at(-1);
      return { conversations: list.map(presentSummary), next_before: list.length === limit && last ? last.conversation.lastActivityAt : null };
    },
  });

  app.post('/v1/conversations', {
    schema: {
      tags: ['conversations'],
      summary: 'Start a conversation (a direct one between two users is returned if it exists)',
      body: CreateBody,
      response: { 200: ConversationResponse, 201: ConversationResponse, 404: ErrorBody, 409: ErrorBody, ...authErrors },
    },
    handler: async (request, reply) => {
      const b = request.body;
      // A context (a host object's) is the host app's to create; `direct` ones are derived.
      const { conversation, created } = await conversations.create(actorOf(request), {
        type: b.type ?? 'general',
        title: b.title ?? null,
        context: b.context ?? null,
        participants: toParticipants(b.participants, b.participant_ids),
        metadata: b.metadata ?? {},
      });
      return reply.status(created ? 201 : 200).send({ conversation: presentConversation(conversation) });
    },
  });

  app.get('/v1/conversations/by-context/:type/:id', {
    schema: { tags: ['conversations'], summary: 'The conversation of a host object', params: ContextParams, response: { 200: ConversationResponse, 404: ErrorBody, ...authErrors } },
    handler: async (request) => {
      const conversation = await conversations.byContext(actorOf(request), request.params);
      return { conversation: presentConversation(conversation) };
    },
  });

  app.put('/v1/conversations/by-context/:type/:id', {
    schema: {
      tags: ['conversations'],
      summary: 'Create or fetch the conversation of a host object; participants, when given, become exactly its participants (API key or conversations.manage)',
      params: ContextParams,
      body: EnsureBody,
      response: { 200: ConversationResponse, 201: ConversationResponse, 404: ErrorBody, ...authErrors },
    },
    handler: async (request, reply) => {
      const b = request.body;
      const { conversation, created } = await conversations.ensureForContext(actorOf(request), request.params, {
        type: b.type ?? request.params.type,
        title: b.title ?? null,
        // Absent: membership stays as it is; given (even empty): it is the host's whole list.
        ...(b.participants !== undefined && { participants: toParticipants(b.participants) }),
        metadata: b.metadata ?? {},
      });
      return reply.status(created ? 201 : 200).send({ conversation: presentConversation(conversation) });
    },
  });

  app.post('/v1/conversations/by-context/:type/:id/events', {
    schema: {
      tags: ['conversations'],
      summary: "A business event about a host object (a bid update, a status change): a system message with its data in the object's room, told live to every participant (API key or conversations.manage)",
      params: ContextParams,
      body: ContextEventBody,
      response: { 201: Type.Object({ conversation_id: Type.String(), created: Type.Boolean(), message: MessageJson }), 404: ErrorBody, ...authErrors },
    },
    handler: async (request, reply) => {
      const b = request.body;
      const result = await services.contextEvents.post(actorOf(request), request.params, {
        kind: b.kind,
        content: b.content,
        ...(b.data !== undefined && { data: b.data }),
        create: {
          type: b.type ?? request.params.type,
          title: b.title ?? null,
          ...(b.participants !== undefined && { participants: toParticipants(b.participants) }),
        },
      });
      return reply.status(201).send({ conversation_id: result.conversationId, created: result.created, message: presentMessage(result.message) });
    },
  });

  app.get('/v1/conversations/:id', {
    schema: { tags: ['conversations'], summary: 'One conversation with its participants and your unread count', params: IdParam, response: { 200: ConversationResponse, 404: ErrorBody, ...authErrors } },
    handler: async (request) => {
      const { conversation, summary, participants } = await conversations.get(actorOf(request), request.params.id);
      const json = summary ? presentSummary(summary) : presentConversation(conversation);
      return { conversation: { ...json, participants: participants.map(presentParticipant) } };
    },
  });

  app.patch('/v1/conversations/:id', {
    schema: { tags: ['conversations'], summary: 'Change title, status or metadata (owners and managers)', params: IdParam, body: PatchBody, response: { 200: ConversationResponse, 404: ErrorBody, ...authErrors } },
    handler: async (request) => {
      const b = request.body;
      const conversation = await conversations.update(actorOf(request), request.params.id, {
        ...(b.title !== undefined && { title: b.title }),
        ...(b.status !== undefined && { status: b.status }),
        ...(b.metadata !== undefined && { metadata: b.metadata }),
      });
      return { conversation: presentConversation(conversation) };
    },
  });

  app.get('/v1/conversations/:id/participants', {
    schema: { tags: ['conversations'], summary: 'Current participants', params: IdParam, response: { 200: Type.Object({ participants: Type.Array(ParticipantJson) }), 404: ErrorBody, ...authErrors } },
    handler: async (request) => ({ participants: (await conversations.participants(actorOf(request), request.params.id)).map(presentParticipant) }),
  });

  app.post('/v1/conversations/:id/participants', {
    schema: {
      tags: ['conversations'],
      summary: 'Add a participant (owners and managers)',
      params: IdParam,
      body: AddParticipantBody,
      response: { 200: Type.Object({ participant: ParticipantJson }), 201: Type.Object({ participant: ParticipantJson }), 404: ErrorBody, ...authErrors },
    },
    handler: async (request, reply) => {
      const { participant, created } = await conversations.addParticipant(actorOf(request), request.params.id, request.body.user_id, request.body.role);
      return reply.status(created ? 201 : 200).send({ participant: presentParticipant(participant) });
    },
  });

  app.delete('/v1/conversations/:id/participants/:userId', {
    schema: { tags: ['conversations'], summary: 'Remove a participant, or leave', params: ParticipantParams, response: { 204: Type.Null(), 404: ErrorBody, ...authErrors } },
    handler: async (request, reply) => {
      await conversations.removeParticipant(actorOf(request), request.params.id, request.params.userId);
      return reply.status(204).send(null);
    },
  });
};
