import type { FastifyError } from 'fastify';
import { AppError, type ErrorDetail } from '../core/errors.js';

/** One schema violation, as the validator reported it, for shapes that list them their own way. */
export interface SchemaIssue {
  /** `body`, `querystring`, `params` or `headers`. */
  readonly part: string;
  /** JSON pointer inside that part (`/content`), empty for the part itself. */
  readonly pointer: string;
  readonly message: string;
}

export interface TranslatedError {
  readonly error: AppError;
  /** Present when the request failed schema validation. */
  readonly issues?: readonly SchemaIssue[];
}

/** Fastify's own failure codes, mapped to the registry. */
const FASTIFY_CODES: Record<string, AppError['code']> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
};

/**
 * The one translation from whatever a request failed with to a registry error. Every profile's
 * shape starts from its result, so a Fastify failure (too large, wrong content type) means the
 * same status on every surface. Anything unrecognised is `internal`, without its text.
 */
export function toAppError(raw: unknown): TranslatedError {
  if (raw instanceof AppError) return { error: raw };
  const error = raw as Partial<FastifyError>;
  if (error.validation) {
    const issues = error.validation.map((v) => ({ part: error.validationContext ?? 'body', pointer: v.instancePath, message: v.message ?? 'invalid' }));
    const details: ErrorDetail[] = issues.map((i) => ({ path: `${i.part}${i.pointer}`, message: i.message }));
    return { error: new AppError('validation_failed', describe(details), details), issues };
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return { error: new AppError(mapped) };
  const status = error.statusCode;
  if (status === 413) return { error: new AppError('payload_too_large') };
  if (status === 415) return { error: new AppError('unsupported_media_type') };
  if (status === 429) return { error: new AppError('rate_limited') };
  if (typeof status === 'number' && status >= 400 && status < 500) return { error: new AppError('bad_request', error.message) };
  return { error: new AppError('internal') };
}

function describe(details: readonly ErrorDetail[]): string {
  const first = details[0];
  if (!first) return 'The request does not match the schema';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return `${first.path || 'body'}: ${first.message}${more}`;
}
