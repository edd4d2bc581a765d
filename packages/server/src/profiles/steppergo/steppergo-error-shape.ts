import { retryAfterOf, type AppError } from '../../core/errors.js';
import type { ErrorShape } from '../../rest/error-shape.js';

/**
 * StepperGO's words for the registry codes its clients meet. Whatever Switchboard cannot tell
 * apart without revealing who talks (no conversation for the trip, or one the caller is not
 * in) is "Access denied to this conversation"; "Trip not found" comes only from the host app,
 * which knows its trips (`HOST_ACCESS_URL`).
 */
const TEXTS: Partial<Record<AppError['code'], string>> = {
  unauthenticated: 'Authentication required',
  invalid_token: 'Invalid or expired session',
  conversation_not_found: 'Access denied to this conversation',
  not_participant: 'Access denied to this conversation',
};

/** The text of an error as a StepperGO client is shown it. */
export function steppergoText(error: AppError): string {
  return TEXTS[error.code] ?? error.message;
}

/** StepperGO's `{"error": "..."}`, with the registry `code` (and `retryable`, `retryAfter` in seconds) beside it. */
export const steppergoErrorShape: ErrorShape = {
  name: 'steppergo',
  body: (error, issues) => ({
    error: issues ? `Validation failed: ${issues.map((i) => `${i.pointer || i.part} ${i.message}`).join('; ')}` : steppergoText(error),
    code: error.code,
    ...(error.retryable && { retryable: true }),
    ...(retryAfterOf(error) !== undefined && { retryAfter: retryAfterOf(error) }),
  }),
};
