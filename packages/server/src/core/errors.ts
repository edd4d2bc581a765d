import { ERROR_CODES, type ErrorCode } from '@switchboard/protocol';

/** The registry lives in the protocol package, so clients know every code the server can send. */
export { ERROR_CODES, type ErrorCode };

export interface ErrorDetail {
  readonly path?: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

/** A failure with a stable code. Throw it from anywhere; every gateway knows how to render it. */
export class AppError extends Error {
  readonly status: number;
  readonly retryable: boolean;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: readonly ErrorDetail[] | Record<string, unknown>,
  ) {
    const entry = ERROR_CODES[code];
    super(message ?? entry.message);
    this.name = 'AppError';
    this.status = entry.status;
    this.retryable = entry.retryable;
  }

  /** The REST body shape: `{error:{code,message,details?}}`. */
  toBody(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    const error: { code: ErrorCode; message: string; details?: unknown } = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Seconds a client should wait before retrying (`rate_limited`, `slow_mode`), when the error says. */
export function retryAfterOf(error: AppError): number | undefined {
  const details = error.details;
  if (!details || Array.isArray(details) || !('retry_after' in details)) return undefined;
  return typeof details.retry_after === 'number' ? details.retry_after : undefined;
}
