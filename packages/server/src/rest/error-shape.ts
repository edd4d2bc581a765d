import type { FastifyInstance } from 'fastify';
import { retryAfterOf, type AppError } from '../core/errors.js';
import { toAppError, type SchemaIssue } from './to-app-error.js';

/**
 * How one surface writes an error body. The status is always the registry's; a profile only
 * decides the body, so every profile answers every error class, and none can turn a client's
 * mistake into a 500.
 */
export interface ErrorShape {
  /** A short name for logs (`v1`, `guzosync`…). */
  readonly name: string;
  body(error: AppError, issues: readonly SchemaIssue[] | undefined): unknown;
}

/**
 * Answers every failure of the routes in this Fastify scope in `shape`. Errors at 500 and above
 * are logged with the original error (its text may hold internals and never reaches the client).
 */
export function useErrorShape(app: FastifyInstance, shape: ErrorShape): void {
  app.setErrorHandler((raw: Error, request, reply) => {
    const { error, issues } = toAppError(raw);
    // An unavailable dependency is logged where it was found out, once, not per request.
    const unavailable = error.code === 'store_unavailable' || error.code === 'host_unavailable';
    if (error.status >= 500 && !unavailable) request.log.error({ err: raw, shape: shape.name }, 'request failed');
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    if (unavailable) void reply.header('retry-after', '1');
    return reply.status(error.status).send(shape.body(error, issues));
  });
}
