import { Type } from 'typebox';
import { AuditEntryJson, BlocklistAction, BlocklistTermJson, ErrorBody, ReportJson, RestrictionJson, ReviewItemJson, MessageJson } from '@switchboard/protocol';
import { actorOf } from '../rest/authenticate.js';
import { authErrors, Strict, type RoutePlugin } from '../rest/route-kit.js';
import { presentMessage } from '../wire/v1-presenters.js';
import { presentAuditEntry, presentReport, presentRestriction, presentReviewItem } from './moderation.presenters.js';
import type { RestrictionKind } from '../storage/store.js';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Reason = Type.String({ minLength: 1, maxLength: 500 });
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 }));
/** Up to a year; absent or null: until lifted. */
const Duration = Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 31_536_000 }), Type.Null()]));

const ReportBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 100, description: 'spam, abuse, harassment… (free text)' }), note: Type.Optional(Type.String({ maxLength: 2000 })) }, Strict);
const ReportParams = Type.Object({ id: Id, messageId: Id });
const QueueQuery = Type.Object({ state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('actioned'), Type.Literal('dismissed')], { default: 'open' })), limit: Limit, cursor: Type.Optional(Type.String({ maxLength: 100 })) }, Strict);
const ActionBody = Type.Object({ action: Type.Union([Type.Literal('hide'), Type.Literal('unhide'), Type.Literal('delete'), Type.Literal('dismiss')]), reason: Reason }, Strict);
const BanBody = Type.Object({ user_id: Id, conversation_id: Type.Optional(Type.Union([Id, Type.Null()])), duration_seconds: Duration, reason: Reason, shadow: Type.Optional(Type.Boolean()) }, Strict);
const MuteBody = Type.Object({ user_id: Id, conversation_id: Id, duration_seconds: Duration, reason: Reason }, Strict);
const RestrictionQuery = Type.Object({ user_id: Type.Optional(Id), all: Type.Optional(Type.Boolean({ description: 'Include lifted and expired ones' })), limit: Limit }, Strict);
const LiftQuery = Type.Object({ reason: Type.Optional(Reason) }, Strict);
const BlocklistBody = Type.Object({ terms: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 5000 }), action: BlocklistAction, reason: Type.Optional(Reason) }, Strict);
const AuditQuery = Type.Object({ limit: Limit, before: Type.Optional(Type.String({ maxLength: 100 })), actor_id: Type.Optional(Id), action: Type.Optional(Type.String({ maxLength: 50 })) }, Strict);
const SlowModeBody = Type.Object({ seconds: Type.Integer({ minimum: 0, maximum: 86_400 }) }, Strict);
const UserParam = Type.Object({ userId: Id });
const IdOnly = Type.Object({ id: Id });

const ReportResponse = Type.Object({ report: ReportJson });
const RestrictionResponse = Type.Object({ restriction: RestrictionJson });
const RestrictionsResponse = Type.Object({ restrictions: Type.Array(RestrictionJson) });
const errors = { 404: ErrorBody, ...authErrors } as const;

/**
 * Reports, the review queue and its actions, bans, mutes, slow mode, the blocklist, blocks and
 * the audit log (docs/moderation.md). Moderator routes need `messages.moderate` or an API key.
 */
export const moderationRoutes: RoutePlugin = async (app, { services }) => {
  const { moderation } = services;

  app.post('/v1/conversations/:id/messages/:messageId/report', {
    schema: { tags: ['moderation'], summary: 'Report a message you can read; 201 when filed, 200 when you had already reported it', params: ReportParams, body: ReportBody, response: { 200: ReportResponse, 201: ReportResponse, ...errors } },
    handler: async (request, reply) => {
      const { report, created } = await moderation.report(actorOf(request), request.params.messageId, { conversationId: request.params.id, reason: request.body.reason, note: request.body.note ?? null });
      return reply.status(created ? 201 : 200).send({ report: presentReport(report) });
    },
  });

  app.get('/v1/moderation/reports', {
    schema: { tags: ['moderation'], summary: 'The review queue: reported messages, longest waiting first, with distinct reporters and reasons', querystring: QueueQuery, response: { 200: Type.Object({ items: Type.Array(ReviewItemJson), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...errors } },
    handler: async (request) => {
      const q = request.query;
      const { items, nextCursor } = await moderation.queue(actorOf(request), { state: q.state ?? 'open', limit: q.limit ?? 50, ...(q.cursor !== undefined && { cursor: q.cursor }) });
      return { items: items.map(presentReviewItem), next_cursor: nextCursor };
    },
  });

  app.post('/v1/moderation/reports/:messageId/actions', {
    schema: { tags: ['moderation'], summary: 'Hide, unhide, delete or dismiss; settles the open reports and is audited', params: Type.Object({ messageId: Id }), body: ActionBody, response: { 200: Type.Object({ message: MessageJson, reports_settled: Type.Integer() }), ...errors } },
    handler: async (request) => {
      const { message, settled } = await moderation.act(actorOf(request), request.params.messageId, request.body);
      return { message: presentMessage(message), reports_settled: settled };
    },
  });

  const restrictions = (kind: RestrictionKind, path: string, body: typeof BanBody | typeof MuteBody) => {
    app.post(path, {
      schema: { tags: ['moderation'], summary: kind === 'ban' ? 'Ban a user everywhere or from one conversation (shadow: only they see what they send)' : 'Mute a participant of a conversation', body, response: { 201: RestrictionResponse, ...errors } },
      handler: async (request, reply) => {
        const b = request.body as { user_id: string; conversation_id?: string | null; duration_seconds?: number | null; reason: string; shadow?: boolean };
        const restriction = await moderation.restrict(actorOf(request), kind, {
          userId: b.user_id,
          conversationId: b.conversation_id ?? null,
          durationSeconds: b.duration_seconds ?? null,
          reason: b.reason,
          ...(b.shadow !== undefined && { shadow: b.shadow }),
        });
        return reply.status(201).send({ restriction: presentRestriction(restriction) });
      },
    });
    app.get(path, {
      schema: { tags: ['moderation'], summary: `${kind === 'ban' ? 'Bans' : 'Mutes'} in force (all: lifted and expired too), newest first`, querystring: RestrictionQuery, response: { 200: RestrictionsResponse, ...errors } },
      handler: async (request) => {
        const q = request.query;
        const list = await moderation.restrictions(actorOf(request), { kind, limit: q.limit ?? 50, ...(q.user_id !== undefined && { userId: q.user_id }), ...(q.all !== undefined && { all: q.all }) });
        return { restrictions: list.map(presentRestriction) };
      },
    });
    app.delete(`${path}/:id`, {
      schema: { tags: ['moderation'], summary: `Lift a ${kind}`, params: IdOnly, querystring: LiftQuery, response: { 200: RestrictionResponse, ...errors } },
      handler: async (request) => ({ restriction: presentRestriction(await moderation.lift(actorOf(request), kind, request.params.id, request.query.reason ?? null)) }),
    });
  };
  restrictions('ban', '/v1/moderation/bans', BanBody);
  restrictions('mute', '/v1/moderation/mutes', MuteBody);

  app.put('/v1/conversations/:id/slow-mode', {
    schema: { tags: ['moderation'], summary: 'Set the seconds a member waits between two messages (0: off); moderators and conversation managers', params: IdOnly, body: SlowModeBody, response: { 200: Type.Object({ slow_mode_seconds: Type.Integer() }), ...errors } },
    handler: async (request) => {
      await moderation.setSlowMode(actorOf(request), request.params.id, request.body.seconds);
      return { slow_mode_seconds: request.body.seconds };
    },
  });

  app.get('/v1/moderation/blocklist', {
    schema: { tags: ['moderation'], summary: 'Every blocklist term with its action', response: { 200: Type.Object({ terms: Type.Array(BlocklistTermJson) }), ...errors } },
    handler: async (request) => ({ terms: await moderation.blocklist(actorOf(request)) }),
  });

  app.put('/v1/moderation/blocklist', {
    schema: { tags: ['moderation'], summary: 'Replace the terms of one action (block refuses, mask stars out, flag files a report); matched as whole words after normalisation', body: BlocklistBody, response: { 200: Type.Object({ terms: Type.Array(BlocklistTermJson) }), ...errors } },
    handler: async (request) => ({ terms: await moderation.replaceBlocklist(actorOf(request), request.body.action, request.body.terms, request.body.reason ?? null) }),
  });

  app.get('/v1/moderation/audit-log', {
    schema: { tags: ['moderation'], summary: 'Every moderator action, newest first (cursor: the last id)', querystring: AuditQuery, response: { 200: Type.Object({ entries: Type.Array(AuditEntryJson), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...errors } },
    handler: async (request) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      const entries = await moderation.auditLog(actorOf(request), { limit, ...(q.before !== undefined && { before: q.before }), ...(q.actor_id !== undefined && { actorId: q.actor_id }), ...(q.action !== undefined && { action: q.action }) });
      return { entries: entries.map(presentAuditEntry), next_cursor: entries.length === limit ? (entries[entries.length - 1]?.id ?? null) : null };
    },
  });

  app.get('/v1/me/blocks', {
    schema: { tags: ['moderation'], summary: 'People you block', response: { 200: Type.Object({ blocks: Type.Array(Type.Object({ user_id: Type.String(), created_at: Type.String() })) }), ...errors } },
    handler: async (request) => ({ blocks: (await moderation.blocks(actorOf(request))).map((b) => ({ user_id: b.userId, created_at: b.createdAt })) }),
  });

  app.post('/v1/me/blocks/:userId', {
    schema: { tags: ['moderation'], summary: 'Block someone: they can no longer message you directly; 201 when new, 200 when already blocked', params: UserParam, response: { 200: Type.Object({ user_id: Type.String() }), 201: Type.Object({ user_id: Type.String() }), ...errors } },
    handler: async (request, reply) => reply.status((await moderation.block(actorOf(request), request.params.userId)) ? 201 : 200).send({ user_id: request.params.userId }),
  });

  app.delete('/v1/me/blocks/:userId', {
    schema: { tags: ['moderation'], summary: 'Unblock someone', params: UserParam, response: { 204: Type.Null(), ...errors } },
    handler: async (request, reply) => {
      await moderation.unblock(actorOf(request), request.params.userId);
      return reply.status(204).send(null);
    },
  });
};
