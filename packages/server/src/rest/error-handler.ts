import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';
import { useErrorShape } from './error-shape.js';
import { v1ErrorShape } from './v1-error-shape.js';

/**
 * The root scope answers in the v1 shape, unknown routes included; profiles register their own
 * shape in their scope (`useErrorShape`).
 */
export function registerErrorHandler(app: FastifyInstance): void {
  useErrorShape(app, v1ErrorShape);
  app.setNotFoundHandler((request, reply) => {
    const error = new AppError('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send(v1ErrorShape.body(error, undefined));
  });
}
