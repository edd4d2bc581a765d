import type { ErrorShape } from '../../rest/error-shape.js';

/** The support desk's `{success:false, error, code}`, with `retryable` when a retry may succeed. */
export const supportDeskErrorShape: ErrorShape = {
  name: 'support-desk',
  body: (error, issues) => ({
    success: false,
    error: issues ? `Validation failed: ${issues.map((i) => `${i.pointer || i.part} ${i.message}`).join('; ')}` : error.message,
    code: error.code,
    ...(error.retryable && { retryable: true }),
    ...(error.details && !Array.isArray(error.details) && 'retry_after' in error.details && { retry_after: error.details.retry_after }),
  }),
};
