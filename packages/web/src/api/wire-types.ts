import type { MessageJson } from '@switchboard/protocol';

/** Shapes of REST answers the protocol package does not export as types. */
export type CaseStatus = 'waiting' | 'active' | 'resolved' | 'closed';

export interface SupportCase {
  readonly conversation_id: string;
  readonly queue: string;
  readonly status: CaseStatus;
  readonly priority: string;
  readonly category: string | null;
  readonly subject: string;
  readonly requester_id: string;
  readonly assigned_agent_id: string | null;
  readonly assignment_reason: string | null;
  readonly created_at: string;
  readonly first_response_at: string | null;
  readonly accepted_at: string | null;
  readonly resolved_at: string | null;
  readonly closed_at: string | null;
  readonly csat_score: number | null;
  readonly csat_comment: string | null;
}

export interface QueueStats {
  readonly queue: string;
  readonly assignment: string;
  readonly waiting: number;
  readonly oldest_waiting_since: string | null;
  readonly oldest_wait_seconds: number;
  readonly active_by_agent: readonly { readonly agent_id: string; readonly active: number }[];
}

export interface ReportedMessage {
  readonly message: MessageJson;
  readonly conversation_id: string;
  readonly report_count: number;
  readonly reporter_ids: readonly string[];
  readonly reasons: Record<string, number>;
  readonly first_reported_at: string;
}

export interface AuditEntry {
  readonly id: string;
  readonly actor_id: string | null;
  readonly action: string;
  readonly target_type: string;
  readonly target_id: string;
  readonly reason: string | null;
  readonly created_at: string;
}

export interface UploadJson {
  readonly id: string;
  readonly name: string;
  readonly content_type: string;
  readonly size: number;
  readonly url?: string;
  readonly thumbnail_url?: string;
}

/** One result of `GET /v1/search/messages`. */
export interface SearchHit {
  readonly message: MessageJson;
  readonly conversation_id: string;
  readonly seq: number;
  /** HTML-escaped excerpt with `<mark>` around matches; shown as plain text here. */
  readonly snippet: string;
}
