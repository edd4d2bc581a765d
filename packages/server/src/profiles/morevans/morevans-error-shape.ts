import { ERROR_CODES, retryAfterOf, type AppError } from '../../core/errors.js';
import type { ErrorShape } from '../../rest/error-shape.js';

/**
 * Django REST framework answers authentication, permission, lookup and throttling failures with
 * `{"detail": ...}` in its own words; the MoreVans views answer their own refusals with
 * `{"error": ...}`. The registry's status stands either way (validation is 422, not DRF's 400).
 */
const DETAIL_TEXTS: Partial<Record<AppError['code'], string>> = {
  unauthenticated: 'Authentication credentials were not provided.',
  invalid_token: 'Given token not valid for any token type',
  user_disabled: 'User is inactive',
  forbidden: 'You do not have permission to perform this action.',
  conversation_not_found: 'Not found.',
  message_not_found: 'Not found.',
  not_found: 'Not found.',
  rate_limited: 'Request was throttled.',
};

/** The registry codes DRF itself would have answered, in `{"detail": ...}`. */
const DRF_CODES = new Set(Object.keys(DETAIL_TEXTS));

/** The original's words where Switchboard's differ (the empty message, as the per-room socket says it). */
export function morevansText(error: AppError): string {
  const details = Array.isArray(error.details) ? error.details : [];
  if (error.code === 'validation_failed' && details.some((d) => d.path === '/content' && d.message === 'must not be empty')) return 'Message content cannot be empty';
  return error.message;
}

export const morevansErrorShape: ErrorShape = {
  name: 'morevans',
  body: (error, issues) => {
    const extra = { code: error.code, ...(error.retryable && { retryable: true }), ...(retryAfterOf(error) !== undefined && { retry_after: retryAfterOf(error) }) };
    if (issues) return { error: `Validation failed: ${issues.map((i) => `${i.pointer || i.part} ${i.message}`).join('; ')}`, ...extra };
    const ownWords = error.message !== ERROR_CODES[error.code].message;
    // A `forbidden` with the service's own reason (a role that may not add someone) is the view's answer.
    if (error.code === 'forbidden' && ownWords) return { error: error.message, ...extra };
    // A lookup that says what it missed ("Invalid page.", the host's "Request not found") says so.
    if (error.code === 'not_found' && ownWords) return { detail: error.message, ...extra };
    if (DRF_CODES.has(error.code)) return { detail: DETAIL_TEXTS[error.code], ...extra };
    return { error: morevansText(error), ...extra };
  },
};
