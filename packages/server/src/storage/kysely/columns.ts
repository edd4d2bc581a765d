import type { ConversationsTable, JobsTable, MessagesTable, NotificationsTable, ParticipantsTable, UsersTable } from '../database.js';

/** A table's columns as a runtime list; the record makes a missing or misspelled one a type error. */
const every = <T>(columns: Record<keyof T & string, true>) => Object.keys(columns) as (keyof T & string)[];

/**
 * Full column lists for statements kept prepared on the server. A prepared `select *` fails
 * ("cached plan must not change result type") once a migration adds a column; a named list
 * keeps working while a rolling upgrade migrates under running nodes. A message's `search_text`
 * is left out: only the search index reads it.
 */
export const COLUMNS = {
  users: every<UsersTable>({ id: true, email: true, password_hash: true, display_name: true, first_name: true, last_name: true, roles: true, profile: true, disabled: true, tokens_valid_after: true, roles_updated_at: true, created_at: true, updated_at: true }),
  conversations: every<ConversationsTable>({ id: true, type: true, context_type: true, context_id: true, title: true, status: true, metadata: true, created_by: true, last_seq: true, last_message_at: true, last_activity_at: true, slow_mode_seconds: true, created_at: true, updated_at: true }),
  participants: every<ParticipantsTable>({ conversation_id: true, user_id: true, role: true, last_read_seq: true, last_delivered_seq: true, muted: true, joined_at: true, left_at: true }),
  messages: every<Omit<MessagesTable, 'search_text'>>({ id: true, conversation_id: true, seq: true, sender_id: true, kind: true, content: true, attachments: true, reply_to: true, metadata: true, client_id: true, edited_at: true, deleted_at: true, hidden: true, reported: true, shadowed: true, created_at: true }),
  notifications: every<NotificationsTable>({ id: true, user_id: true, conversation_id: true, from_seq: true, to_seq: true, message_count: true, last_message_id: true, steps: true, state: true, first_message_at: true, read_at: true, created_at: true, updated_at: true }),
  jobs: every<JobsTable>({ id: true, kind: true, subject_id: true, payload: true, run_at: true, attempts: true, locked_until: true, last_error: true, created_at: true, completed_at: true, failed_at: true, rerun: true }),
};
