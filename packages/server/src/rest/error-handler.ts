import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, type ErrorDetail } from '../core/errors.js';

/** Fastify's own failure codes, mapped to the registry. */
const FASTIFY_CODES: Record<string, AppError['code']> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

/**
 * Every REST failure leaves as `{error:{code,message,details?}}`. Unknown errors are logged
 * and answered as `internal` without their text, which may hold internals.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((raw: FastifyError, request, reply) => {
    const error = toAppError(raw);
    if (error.status >= 500) request.log.error({ err: raw }, 'request failed');
    if (error.code === 'rate_limited' && error.details && 'retry_after' in error.details) {
      void reply.header('retry-after', String(error.details.retry_after));
    }
    return reply.status(error.status).send(error.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send(error.toBody());
  });
}

function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    const details: ErrorDetail[] = error.validation.map((v) => ({ path: `${error.validationContext ?? ''}${v.instancePath}`, message: v.message ?? 'invalid' }));
    return new AppError('validation_failed', describe(details), details);
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return new AppError(mapped);
  if (error.statusCode === 429) return new AppError('rate_limited');
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) return new AppError('bad_request', error.message);
  return new AppError('internal');
}

function describe(details: readonly ErrorDetail[]): string {
  const first = details[0];
  if (!first) return 'The request does not match the schema';
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return `${first.path || 'body'}: ${first.message}${more}`;
}
