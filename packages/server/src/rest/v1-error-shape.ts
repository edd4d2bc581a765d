import { AppError } from '../core/errors.js';
import type { ErrorShape } from './error-shape.js';

/** `/v1`: `{error:{code, message, details?, retryable?}}`; `retryable` only when it is true. */
export const v1ErrorShape: ErrorShape = {
  name: 'v1',
  body: (error: AppError) => {
    const body = error.toBody();
    return error.retryable ? { error: { ...body.error, retryable: true } } : body;
  },
};
