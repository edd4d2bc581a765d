import type { Generated } from 'kysely';

/**
 * Table shapes as both dialects store them. Timestamps are ISO-8601 UTC strings (they sort as
 * text), JSON is stored as text and flags as 0/1 integers, so one set of queries serves both.
 */
export interface Database {
  users: UsersTable;
  conversations: ConversationsTable;
  participants: ParticipantsTable;
  messages: MessagesTable;
  revoked_tokens: RevokedTokensTable;
  message_reactions: MessageReactionsTable;
  support_cases: SupportCasesTable;
  attachments: AttachmentsTable;
  jobs: JobsTable;
  message_reports: MessageReportsTable;
  moderation_restrictions: ModerationRestrictionsTable;
  blocklist_terms: BlocklistTermsTable;
  user_blocks: UserBlocksTable;
  moderation_audit: ModerationAuditTable;
  sessions: SessionsTable;
  message_deliveries: MessageDeliveriesTable;
  notifications: NotificationsTable;
  notification_deliveries: NotificationDeliveriesTable;
  push_subscriptions: PushSubscriptionsTable;
  notification_settings: NotificationSettingsTable;
  notification_schedules: NotificationSchedulesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export interface SupportCasesTable {
  conversation_id: string;
  queue: string;
  status: string;
  priority: string;
  priority_rank: number;
  category: string | null;
  subject: string;
  requester_id: string;
  assigned_agent_id: string | null;
  assignment_reason: string | null;
  created_at: string;
  first_response_at: string | null;
  accepted_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  csat_score: number | null;
  csat_comment: string | null;
  csat_at: string | null;
}

export interface AttachmentsTable {
  id: string;
  uploader_id: string;
  name: string;
  content_type: string;
  size: number;
  storage_key: string;
  thumbnail_key: string | null;
  conversation_id: string | null;
  message_id: string | null;
  created_at: string;
  /** A `ScanStatus` (see migrations/0006-attachment-scans.ts). */
  scan_status: string;
  scan_detail: string | null;
}

/** The outbox (see migrations/0005-jobs.ts); `payload` is JSON text. */
export interface JobsTable {
  id: string;
  kind: string;
  subject_id: string;
  payload: string;
  run_at: string;
  attempts: number;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  completed_at: string | null;
  failed_at: string | null;
  /** 1 when a coalesced job was asked for again while it ran (migration 0015). */
  rerun: number;
}

export interface MessageReactionsTable {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: string;
}

export interface UsersTable {
  id: string;
  email: string | null;
  password_hash: string | null;
  display_name: string;
  first_name: string | null;
  last_name: string | null;
  roles: string;
  profile: string;
  disabled: number;
  tokens_valid_after: number;
  roles_updated_at: number;
  created_at: string;
  updated_at: string;
}

export interface ConversationsTable {
  id: string;
  type: string;
  context_type: string | null;
  context_id: string | null;
  title: string | null;
  status: string;
  metadata: string;
  created_by: string | null;
  last_seq: Generated<number>;
  last_message_at: string | null;
  last_activity_at: string;
  slow_mode_seconds: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface ParticipantsTable {
  conversation_id: string;
  user_id: string;
  role: string;
  last_read_seq: Generated<number>;
  last_delivered_seq: Generated<number>;
  muted: Generated<number>;
  joined_at: string;
  left_at: string | null;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string | null;
  kind: string;
  content: string;
  attachments: string;
  reply_to: string | null;
  metadata: string;
  client_id: string | null;
  edited_at: string | null;
  deleted_at: string | null;
  hidden: Generated<number>;
  reported: Generated<number>;
  shadowed: Generated<number>;
  created_at: string;
  /** `content` folded for search (`search/search-text.ts`); written with it, read only by the search index. */
  search_text: Generated<string>;
}

export interface SessionsTable {
  id: string;
  /** sha256 of the token, hex. */
  token_hash: string;
  user_id: string;
  /** Epoch seconds. */
  created_at: number;
  /** Epoch seconds. */
  expires_at: number;
}

export interface RevokedTokensTable {
  jti: string;
  expires_at: number;
}

export interface MessageReportsTable {
  id: string;
  message_id: string;
  conversation_id: string;
  reporter_id: string;
  reason: string;
  note: string | null;
  state: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

export interface ModerationRestrictionsTable {
  id: string;
  kind: string;
  user_id: string;
  conversation_id: string | null;
  shadow: number;
  reason: string;
  until: string | null;
  created_by: string | null;
  created_at: string;
  lifted_at: string | null;
  lifted_by: string | null;
}

export interface BlocklistTermsTable {
  term: string;
  action: string;
  created_at: string;
}

export interface UserBlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: string;
}

export interface ModerationAuditTable {
  id: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  reason: string | null;
  params: string;
  created_at: string;
}

/** The first delivery of each message to someone other than its sender (migrations/0011). */
export interface MessageDeliveriesTable {
  message_id: string;
  conversation_id: string;
  first_delivered_at: string;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  /** JSON array of event types. */
  events: string;
  description: string | null;
  secret: string;
  disabled_at: string | null;
  disabled_reason: string | null;
  /** The first failure since the last success; five days of failures disable the endpoint. */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  event_type: string;
  /** The body as sent, JSON text. */
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  conversation_id: string;
  from_seq: number;
  to_seq: number;
  message_count: number;
  last_message_id: string;
  /** JSON: the escalation steps the batch was opened with. */
  steps: string;
  /** `open` while steps may still fire and new messages join; `done` afterwards. */
  state: string;
  first_message_at: string;
  read_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface NotificationDeliveriesTable {
  id: string;
  notification_id: string;
  user_id: string;
  conversation_id: string;
  step: number;
  channel: string;
  outcome: string;
  reason: string | null;
  to_seq: number;
  created_at: string;
}

export interface PushSubscriptionsTable {
  endpoint: string;
  user_id: string;
  p256dh: string;
  auth: string;
  device_id: string | null;
  created_at: string;
}

/** How far the escalation scheduler has read a conversation (migration 0015). */
export interface NotificationSchedulesTable {
  conversation_id: string;
  through_seq: number;
}

export interface NotificationSettingsTable {
  user_id: string;
  push: number;
  email: string;
  /** JSON `{start, end, time_zone}` or null. */
  quiet_hours: string | null;
  /** JSON array of conversation ids. */
  muted_conversations: string;
  updated_at: string;
}
