import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, RawServerDefault } from 'fastify';
import { Type } from 'typebox';
import type { EdgeServices } from '../edge-services.js';
import { ErrorBody } from '@switchboard/protocol';

/** A feature's routes: a Fastify plugin given the services. */
export type RoutePlugin = FastifyPluginAsync<{ services: EdgeServices }, RawServerDefault, TypeBoxTypeProvider>;

/** Error responses every authenticated route may give, for the OpenAPI document. */
export const authErrors = {
  401: ErrorBody,
  403: ErrorBody,
  422: ErrorBody,
} as const;

export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/** Strict object: unknown fields are an error, not silently dropped. */
export const Strict = { additionalProperties: false } as const;
