import type { ErrorCode } from '../../core/errors.js';
import type { ErrorShape } from '../../rest/error-shape.js';

/** GuzoSync's error texts for the registry codes its clients can meet. */
const DETAIL: Partial<Record<ErrorCode, string>> = {
  invalid_credentials: 'Incorrect email or password',
  unauthenticated: 'Not authenticated',
  invalid_token: 'Could not validate credentials',
  not_participant: 'Conversation not found or access denied',
  conversation_not_found: 'Conversation not found or access denied',
  no_staff_available: 'No control center staff available',
};

/**
 * Errors as FastAPI writes them: `{"detail": "..."}`, and schema violations as a list of
 * `{loc, msg, type}`. FastAPI's shape has no room for a retry hint beyond the status.
 */
export const guzosyncErrorShape: ErrorShape = {
  name: 'guzosync',
  body: (error, issues) =>
    issues
      ? { detail: issues.map((i) => ({ loc: [i.part, ...i.pointer.split('/').filter(Boolean)], msg: i.message, type: 'value_error' })) }
      : { detail: DETAIL[error.code] ?? error.message },
};
