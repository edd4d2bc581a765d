import { Type, type Static } from 'typebox';
import { MessageJson } from './v1.js';

/** Moderation's wire shapes (`/v1/moderation/*`, reports and blocks). */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const ReportJson = Type.Object({
  id: Type.String(),
  message_id: Type.String(),
  conversation_id: Type.String(),
  reporter_id: Type.String({ description: 'A user id, or system:blocklist for a flagged term' }),
  reason: Type.String(),
  note: Nullable(Type.String()),
  state: Type.Union([Type.Literal('open'), Type.Literal('actioned'), Type.Literal('dismissed')]),
  created_at: Type.String(),
  resolved_at: Nullable(Type.String()),
  resolved_by: Nullable(Type.String()),
});
export type ReportJson = Static<typeof ReportJson>;

export const ReviewItemJson = Type.Object({
  message: MessageJson,
  conversation_id: Type.String(),
  report_count: Type.Integer(),
  reporter_ids: Type.Array(Type.String(), { description: 'Distinct reporters' }),
  reasons: Type.Record(Type.String(), Type.Integer(), { description: 'How many reports gave each reason' }),
  first_reported_at: Type.String(),
  reports: Type.Array(ReportJson),
});

export const RestrictionJson = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('ban'), Type.Literal('mute')]),
  user_id: Type.String(),
  conversation_id: Nullable(Type.String()),
  shadow: Type.Boolean(),
  reason: Type.String(),
  until: Nullable(Type.String()),
  created_by: Nullable(Type.String()),
  created_at: Type.String(),
  lifted_at: Nullable(Type.String()),
  lifted_by: Nullable(Type.String()),
});
export type RestrictionJson = Static<typeof RestrictionJson>;

export const BlocklistAction = Type.Union([Type.Literal('block'), Type.Literal('mask'), Type.Literal('flag')]);
export const BlocklistTermJson = Type.Object({ term: Type.String({ description: 'Normalised: NFKC, case and accents folded' }), action: BlocklistAction });

export const AuditEntryJson = Type.Object({
  id: Type.String(),
  actor_id: Nullable(Type.String()),
  action: Type.String(),
  target_type: Type.String(),
  target_id: Type.String(),
  reason: Nullable(Type.String()),
  params: Type.Record(Type.String(), Type.Unknown()),
  created_at: Type.String(),
});
