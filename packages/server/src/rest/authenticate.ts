import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, UserActor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { AuthService } from '../identity/auth.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every route that requires authentication. */
    actor?: Actor;
  }
  interface FastifyContextConfig {
    /** `false` for public routes (login, health). @default true */
    auth?: boolean;
  }
}

/** Reads the credential a request carries: an API key header, or a bearer token. */
export function credentialOf(request: FastifyRequest): { kind: 'token' | 'api_key'; value: string } | undefined {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return { kind: 'api_key', value: apiKey };
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (value === undefined || value === '') return undefined;
  if (/^bearer$/i.test(scheme ?? '')) return { kind: 'token', value };
  if (/^apikey$/i.test(scheme ?? '')) return { kind: 'api_key', value };
  return undefined;
}

/**
 * Authenticates every route unless its config says `auth: false`. It runs first, before the
 * body is read or validated: a caller without a valid credential learns nothing about the
 * route's schema and costs no body parsing (401 before 413, 415 or 422).
 */
export function registerAuthentication(app: FastifyInstance, auth: AuthService): void {
  app.addHook('onRequest', async (request) => {
    // Unknown routes answer 404 to everyone, as before.
    if (request.routeOptions.config.auth === false || request.is404) return;
    const credential = credentialOf(request);
    if (!credential) throw new AppError('unauthenticated');
    request.actor = credential.kind === 'api_key' ? auth.authenticateApiKey(credential.value) : await auth.authenticate(credential.value);
  });
}

export function actorOf(request: { readonly actor?: Actor | undefined }): Actor {
  if (!request.actor) throw new AppError('unauthenticated');
  return request.actor;
}

export function userActorOf(request: { readonly actor?: Actor | undefined }): UserActor {
  const actor = actorOf(request);
  if (actor.kind !== 'user') throw new AppError('forbidden', 'This route needs a user token, not an API key');
  return actor;
}
