import type { AuditEntry, MessageReport, Restriction } from '../storage/store.js';
import type { ReviewItem } from './moderation.service.js';
import { presentMessage } from '../wire/v1-presenters.js';

export const presentReport = (r: MessageReport) => ({
  id: r.id,
  message_id: r.messageId,
  conversation_id: r.conversationId,
  reporter_id: r.reporterId,
  reason: r.reason,
  note: r.note,
  state: r.state,
  created_at: r.createdAt,
  resolved_at: r.resolvedAt,
  resolved_by: r.resolvedBy,
});

export const presentReviewItem = (item: ReviewItem) => ({
  message: presentMessage(item.message),
  conversation_id: item.conversationId,
  report_count: item.reports.length,
  reporter_ids: [...item.reporterIds],
  reasons: { ...item.reasons },
  first_reported_at: item.firstReportedAt,
  reports: item.reports.map(presentReport),
});

export const presentRestriction = (r: Restriction) => ({
  id: r.id,
  kind: r.kind,
  user_id: r.userId,
  conversation_id: r.conversationId,
  shadow: r.shadow,
  reason: r.reason,
  until: r.until,
  created_by: r.createdBy,
  created_at: r.createdAt,
  lifted_at: r.liftedAt,
  lifted_by: r.liftedBy,
});

export const presentAuditEntry = (e: AuditEntry) => ({
  id: e.id,
  actor_id: e.actorId,
  action: e.action,
  target_type: e.targetType,
  target_id: e.targetId,
  reason: e.reason,
  params: e.params,
  created_at: e.createdAt,
});
