import { Type } from 'typebox';
import { actorOf, userActorOf } from '../authenticate.js';
import { ABILITIES } from '../../policy/abilities.js';
import { presentUser } from '../../wire/v1-presenters.js';
import { ErrorBody, UserJson } from '@switchboard/protocol';
import { authErrors, IdParam, Strict, type RoutePlugin } from '../route-kit.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const OptionalNullableName = Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()]));
const Profile = Type.Record(Type.String(), Type.Unknown());

const UpdateMeBody = Type.Object(
  { display_name: Type.Optional(Name), first_name: OptionalNullableName, last_name: OptionalNullableName, profile: Type.Optional(Profile) },
  Strict,
);

const UpsertUserBody = Type.Object(
  {
    email: Type.Optional(Type.Union([Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }), Type.Null()])),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
    display_name: Type.Optional(Name),
    first_name: OptionalNullableName,
    last_name: OptionalNullableName,
    roles: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
    profile: Type.Optional(Profile),
    disabled: Type.Optional(Type.Boolean()),
  },
  Strict,
);

export const userRoutes: RoutePlugin = async (app, { services }) => {
  app.get('/v1/me', {
    schema: {
      tags: ['users'],
      summary: 'The signed-in user and what their roles allow',
      response: { 200: Type.Object({ user: UserJson, abilities: Type.Array(Type.String()) }), ...authErrors },
    },
    handler: async (request) => {
      const { user } = userActorOf(request);
      const abilities = ABILITIES.filter((a) => services.policy.can({ kind: 'user', roles: user.roles }, a));
      return { user: presentUser(user, true), abilities };
    },
  });

  app.patch('/v1/me', {
    schema: { tags: ['users'], summary: 'Edit your own name and profile', body: UpdateMeBody, response: { 200: Type.Object({ user: UserJson }), ...authErrors } },
    handler: async (request) => {
      const b = request.body;
      const user = await services.users.updateSelf(actorOf(request), {
        ...(b.display_name !== undefined && { displayName: b.display_name }),
        ...(b.first_name !== undefined && { firstName: b.first_name }),
        ...(b.last_name !== undefined && { lastName: b.last_name }),
        ...(b.profile !== undefined && { profile: b.profile }),
      });
      return { user: presentUser(user, true) };
    },
  });

  app.get('/v1/users/:id', {
    schema: { tags: ['users'], summary: 'A user; email and flags only for themselves and managers', params: IdParam, response: { 200: Type.Object({ user: UserJson }), 404: ErrorBody, ...authErrors } },
    handler: async (request) => {
      const actor = actorOf(request);
      const user = await services.users.get(actor, request.params.id);
      return { user: presentUser(user, services.users.maySeePrivate(actor, user)) };
    },
  });

  app.put('/v1/users/:id', {
    schema: {
      tags: ['users'],
      summary: 'Create or update a user by the host app id (API key or users.manage)',
      params: IdParam,
      body: UpsertUserBody,
      response: { 200: Type.Object({ user: UserJson }), 201: Type.Object({ user: UserJson }), 409: ErrorBody, ...authErrors },
    },
    handler: async (request, reply) => {
      const b = request.body;
      const { user, created } = await services.users.upsert(actorOf(request), request.params.id, {
        ...(b.email !== undefined && { email: b.email }),
        ...(b.password !== undefined && { password: b.password }),
        ...(b.display_name !== undefined && { displayName: b.display_name }),
        ...(b.first_name !== undefined && { firstName: b.first_name }),
        ...(b.last_name !== undefined && { lastName: b.last_name }),
        ...(b.roles !== undefined && { roles: b.roles }),
        ...(b.profile !== undefined && { profile: b.profile }),
        ...(b.disabled !== undefined && { disabled: b.disabled }),
      });
      return reply.status(created ? 201 : 200).send({ user: presentUser(user, true) });
    },
  });

  app.post('/v1/users/:id/revoke-tokens', {
    schema: { tags: ['users'], summary: 'End every session of the user', params: IdParam, response: { 204: Type.Null(), 404: ErrorBody, ...authErrors } },
    handler: async (request, reply) => {
      await services.users.revokeTokens(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  });
};
