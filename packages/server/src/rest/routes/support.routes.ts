import { Type } from 'typebox';
import type { SupportCase } from '../../storage/store.js';
import { actorOf } from '../authenticate.js';
import { presentConversation, presentMessage } from '../../wire/v1-presenters.js';
import { ConversationJson, ErrorBody, MessageJson } from '@switchboard/protocol';
import { authErrors, IdParam, Strict, type RoutePlugin } from '../route-kit.js';

const Priority = Type.Unsafe<'low' | 'medium' | 'high' | 'urgent'>({ type: 'string', enum: ['low', 'medium', 'high', 'urgent'] });
const Status = Type.Unsafe<'waiting' | 'active' | 'resolved' | 'closed'>({ type: 'string', enum: ['waiting', 'active', 'resolved', 'closed'] });
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

export const CaseJson = Type.Object({
  conversation_id: Type.String(),
  queue: Type.String(),
  status: Type.String(),
  priority: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  subject: Type.String(),
  requester_id: Type.String(),
  assigned_agent_id: Type.Union([Type.String(), Type.Null()]),
  assignment_reason: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  first_response_at: Type.Union([Type.String(), Type.Null()]),
  accepted_at: Type.Union([Type.String(), Type.Null()]),
  resolved_at: Type.Union([Type.String(), Type.Null()]),
  closed_at: Type.Union([Type.String(), Type.Null()]),
  csat_score: Type.Union([Type.Integer(), Type.Null()]),
  csat_comment: Type.Union([Type.String(), Type.Null()]),
});

export function presentCase(c: SupportCase) {
  return {
    conversation_id: c.conversationId,
    queue: c.queue,
    status: c.status,
    priority: c.priority,
    category: c.category,
    subject: c.subject,
    requester_id: c.requesterId,
    assigned_agent_id: c.assignedAgentId,
    assignment_reason: c.assignmentReason,
    created_at: c.createdAt,
    first_response_at: c.firstResponseAt,
    accepted_at: c.acceptedAt,
    resolved_at: c.resolvedAt,
    closed_at: c.closedAt,
    csat_score: c.csatScore,
    csat_comment: c.csatComment,
  };
}

const OpenBody = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 300 }),
    content: Type.Optional(Type.String({ minLength: 1 })),
    queue: Type.Optional(Name),
    priority: Type.Optional(Priority),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    links: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 200 }))),
    client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  Strict,
);
const ListQuery = Type.Object(
  {
    queue: Type.Optional(Name),
    status: Type.Optional(Status),
    mine: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  Strict,
);
const AssignBody = Type.Object({ agent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), queue: Type.Optional(Name), reason: Type.Optional(Type.String({ maxLength: 300 })) }, Strict);
const StatusBody = Type.Object({ status: Status }, Strict);
const RatingBody = Type.Object({ score: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Type.String({ maxLength: 2000 })) }, Strict);
const CaseResponse = Type.Object({ case: CaseJson });

export const supportRoutes: RoutePlugin = async (app, { services }) => {
  const { support } = services;
  const errors = { 404: ErrorBody, 409: ErrorBody, ...authErrors };

  app.post('/v1/support/cases', {
    schema: {
      tags: ['support'],
      summary: 'Open a support case (roles with support.create)',
      body: OpenBody,
      response: { 201: Type.Object({ case: CaseJson, conversation: ConversationJson, first_message: Type.Union([MessageJson, Type.Null()]) }), ...errors },
    },
    handler: async (request, reply) => {
      const b = request.body;
      const result = await support.open(actorOf(request), {
        subject: b.subject,
        ...(b.content !== undefined && { content: b.content }),
        ...(b.queue !== undefined && { queue: b.queue }),
        ...(b.priority !== undefined && { priority: b.priority }),
        ...(b.category !== undefined && { category: b.category }),
        ...(b.links !== undefined && { links: b.links }),
        ...(b.client_id !== undefined && { clientId: b.client_id }),
      });
      return reply.status(201).send({ case: presentCase(result.supportCase), conversation: presentConversation(result.conversation), first_message: result.firstMessage ? presentMessage(result.firstMessage) : null });
    },
  });

  app.get('/v1/support/cases', {
    schema: { tags: ['support'], summary: 'Cases: staff see all (filter by queue, status, mine); others their own', querystring: ListQuery, response: { 200: Type.Object({ cases: Type.Array(CaseJson) }), ...authErrors } },
    handler: async (request) => {
      const q = request.query;
      const cases = await support.list(actorOf(request), {
        ...(q.queue !== undefined && { queue: q.queue }),
        ...(q.status !== undefined && { statuses: [q.status] }),
        ...(q.mine !== undefined && { mine: q.mine }),
        limit: q.limit ?? 50,
        ...(q.offset !== undefined && { offset: q.offset }),
      });
      return { cases: cases.map(presentCase) };
    },
  });

  app.get('/v1/support/queues', {
    schema: { tags: ['support'], summary: 'Per queue: waiting count, oldest wait, active cases per agent (staff)' },
    handler: async (request) => ({
      queues: (await support.stats(actorOf(request))).map((s) => ({
        queue: s.queue,
        assignment: s.assignment,
        waiting: s.waiting,
        oldest_waiting_since: s.oldestWaitingSince,
        oldest_wait_seconds: s.oldestWaitSeconds,
        active_by_agent: s.activeByAgent.map((a) => ({ agent_id: a.agentId, active: a.active })),
      })),
    }),
  });

  app.get('/v1/support/cases/:id', {
    schema: { tags: ['support'], summary: 'One case', params: IdParam, response: { 200: CaseResponse, ...errors } },
    handler: async (request) => ({ case: presentCase((await support.get(actorOf(request), request.params.id)).supportCase) }),
  });

  app.post('/v1/support/cases/:id/accept', {
    schema: { tags: ['support'], summary: 'Claim a waiting case (agents); 409 case_already_accepted when someone was first', params: IdParam, response: { 200: CaseResponse, ...errors } },
    handler: async (request) => ({ case: presentCase(await support.accept(actorOf(request), request.params.id)) }),
  });

  app.post('/v1/support/cases/:id/assign', {
    schema: { tags: ['support'], summary: 'Assign to an agent (default: yourself) or transfer to a queue (staff)', params: IdParam, body: AssignBody, response: { 200: CaseResponse, ...errors } },
    handler: async (request) => {
      const b = request.body;
      const updated = await support.assign(actorOf(request), request.params.id, {
        ...(b.agent_id !== undefined && { agentId: b.agent_id }),
        ...(b.queue !== undefined && { queue: b.queue }),
        ...(b.reason !== undefined && { reason: b.reason }),
      });
      return { case: presentCase(updated) };
    },
  });

  app.post('/v1/support/cases/:id/status', {
    schema: { tags: ['support'], summary: 'Resolve, close or reopen (active)', params: IdParam, body: StatusBody, response: { 200: CaseResponse, ...errors } },
    handler: async (request) => ({ case: presentCase(await support.setStatus(actorOf(request), request.params.id, request.body.status)) }),
  });

  app.post('/v1/support/cases/:id/rating', {
    schema: { tags: ['support'], summary: 'Rate a resolved or closed case once, 1-5 (the customer who opened it)', params: IdParam, body: RatingBody, response: { 200: CaseResponse, ...errors } },
    handler: async (request) => ({ case: presentCase(await support.rate(actorOf(request), request.params.id, request.body.score, request.body.comment ?? null)) }),
  });
};
