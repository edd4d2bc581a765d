import { Type } from 'typebox';
import { ErrorBody, WebhookDeliveryJson, WebhookDeliveryStatus, WebhookEndpointJson, WebhookEventTypeJson } from '@switchboard/protocol';
import { actorOf } from '../rest/authenticate.js';
import { authErrors, IdParam, Strict, type RoutePlugin } from '../rest/route-kit.js';
import { presentDelivery, presentEndpoint } from './webhook.presenters.js';

const Url = Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://', description: 'http(s) URL of the receiver' });
const Events = Type.Array(WebhookEventTypeJson, { minItems: 1, maxItems: 20, description: 'The event types it receives' });
const Description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()]);

const CreateBody = Type.Object({ url: Url, events: Events, description: Type.Optional(Description) }, Strict);
const PatchBody = Type.Object({ url: Type.Optional(Url), events: Type.Optional(Events), description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean({ description: 'true re-enables a disabled endpoint' })) }, Strict);
const DeliveriesQuery = Type.Object({ status: Type.Optional(WebhookDeliveryStatus), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })), before: Type.Optional(Type.String({ maxLength: 100 })) }, Strict);
const DeliveryParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }), deliveryId: Type.String({ minLength: 1, maxLength: 200 }) });

const WithSecret = Type.Object({ id: Type.String(), secret: Type.String({ description: 'whsec_…: the signing secret, shown only here' }), webhook: WebhookEndpointJson });
const errors = { 404: ErrorBody, 409: ErrorBody, ...authErrors } as const;

/** Webhook endpoints and their delivery log (docs/webhooks.md). An API key or `users.manage`. */
export const webhookRoutes: RoutePlugin = async (app, { services }) => {
  const { webhooks } = services;

  app.post('/v1/webhooks', {
    schema: { tags: ['webhooks'], summary: 'Register an endpoint; the answer carries its signing secret', body: CreateBody, response: { 201: WithSecret, ...errors } },
    handler: async (request, reply) => {
      const endpoint = await webhooks.create(actorOf(request), request.body);
      return reply.status(201).send({ id: endpoint.id, secret: endpoint.secret, webhook: presentEndpoint(endpoint) });
    },
  });

  app.get('/v1/webhooks', {
    schema: { tags: ['webhooks'], summary: 'Every endpoint, oldest first', response: { 200: Type.Object({ webhooks: Type.Array(WebhookEndpointJson) }), ...errors } },
    handler: async (request) => ({ webhooks: (await webhooks.list(actorOf(request))).map(presentEndpoint) }),
  });

  app.get('/v1/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'One endpoint', params: IdParam, response: { 200: Type.Object({ webhook: WebhookEndpointJson }), ...errors } },
    handler: async (request) => ({ webhook: presentEndpoint(await webhooks.get(actorOf(request), request.params.id)) }),
  });

  app.patch('/v1/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'Change the URL, events or description; enable or disable', params: IdParam, body: PatchBody, response: { 200: Type.Object({ webhook: WebhookEndpointJson }), ...errors } },
    handler: async (request) => ({ webhook: presentEndpoint(await webhooks.update(actorOf(request), request.params.id, request.body)) }),
  });

  app.delete('/v1/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'Delete an endpoint and its delivery log', params: IdParam, response: { 204: Type.Null(), ...errors } },
    handler: async (request, reply) => {
      await webhooks.delete(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  });

  app.post('/v1/webhooks/:id/rotate-secret', {
    schema: { tags: ['webhooks'], summary: 'Replace the signing secret at once', params: IdParam, response: { 200: WithSecret, ...errors } },
    handler: async (request) => {
      const endpoint = await webhooks.rotateSecret(actorOf(request), request.params.id);
      return { id: endpoint.id, secret: endpoint.secret, webhook: presentEndpoint(endpoint) };
    },
  });

  app.get('/v1/webhooks/:id/deliveries', {
    schema: { tags: ['webhooks'], summary: 'The delivery log, newest first (status=failed for what gave up)', params: IdParam, querystring: DeliveriesQuery, response: { 200: Type.Object({ deliveries: Type.Array(WebhookDeliveryJson), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...errors } },
    handler: async (request) => {
      const q = request.query;
      const { deliveries, nextCursor } = await webhooks.deliveries(actorOf(request), request.params.id, { limit: q.limit ?? 50, ...(q.status !== undefined && { status: q.status }), ...(q.before !== undefined && { before: q.before }) });
      return { deliveries: deliveries.map(presentDelivery), next_cursor: nextCursor };
    },
  });

  app.post('/v1/webhooks/:id/deliveries/:deliveryId/redeliver', {
    schema: { tags: ['webhooks'], summary: 'Send a delivery again (same webhook-id and body, fresh schedule)', params: DeliveryParams, response: { 202: Type.Object({ delivery: WebhookDeliveryJson }), ...errors } },
    handler: async (request, reply) => {
      const delivery = await webhooks.redeliver(actorOf(request), request.params.id, request.params.deliveryId);
      return reply.status(202).send({ delivery: presentDelivery(delivery) });
    },
  });
};
