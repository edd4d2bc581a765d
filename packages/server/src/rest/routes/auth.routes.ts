import { Type } from 'typebox';
import { userActorOf } from '../authenticate.js';
import { presentUser } from '../../wire/v1-presenters.js';
import { ErrorBody, UserJson } from '@switchboard/protocol';
import { Strict, type RoutePlugin } from '../route-kit.js';

export const LoginBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  Strict,
);

export const authRoutes: RoutePlugin = async (app, { services }) => {
  app.post('/v1/auth/login', {
    config: { auth: false },
    schema: {
      tags: ['auth'],
      summary: 'Exchange email and password for a bearer token',
      body: LoginBody,
      response: {
        200: Type.Object({ access_token: Type.String(), token_type: Type.Literal('bearer'), expires_in: Type.Integer(), user: UserJson }),
        401: ErrorBody,
        422: ErrorBody,
        429: ErrorBody,
      },
    },
    handler: async (request) => {
      const result = await services.auth.login(request.body.email, request.body.password, { address: request.ip });
      return { access_token: result.accessToken, token_type: 'bearer' as const, expires_in: result.expiresIn, user: presentUser(result.user, true) };
    },
  });

  app.post('/v1/auth/logout', {
    schema: { tags: ['auth'], summary: 'Revoke the token used for this request', security: [{ bearer: [] }], response: { 204: Type.Null(), 401: ErrorBody } },
    handler: async (request, reply) => {
      await services.auth.logout(userActorOf(request));
      return reply.status(204).send(null);
    },
  });
};
