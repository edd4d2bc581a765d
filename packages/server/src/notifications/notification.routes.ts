import { Type } from 'typebox';
import { ErrorBody, NotificationJson, NotificationReadBody, NotificationSettingsBody, NotificationSettingsJson, PushSubscriptionBody, PushSubscriptionJson } from '@switchboard/protocol';
import { actorOf } from '../rest/authenticate.js';
import { authErrors, Strict, type RoutePlugin } from '../rest/route-kit.js';
import { presentNotification, presentSettings, presentSubscription } from './notification.presenters.js';

const FeedQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean({ description: 'Only entries not read yet' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    before: Type.Optional(Type.String({ maxLength: 40, description: 'updated_at of the last entry of the previous page' })),
  },
  Strict,
);
const UnsubscribeQuery = Type.Object({ user: Type.String({ minLength: 1, maxLength: 200 }), sig: Type.String({ minLength: 1, maxLength: 100 }) });
const EndpointBody = Type.Object({ endpoint: Type.String({ minLength: 1, maxLength: 2000 }) }, Strict);
const errors = { 404: ErrorBody, ...authErrors } as const;
const UNSUBSCRIBED_PAGE = '<!doctype html><meta charset="utf-8"><title>Unsubscribed</title><p>You will no longer receive notification emails. You can turn them back on in your notification settings.</p>';

/**
 * The in-app feed, web push subscriptions and notification preferences (docs/notifications.md).
 * Every route is about the caller's own notifications.
 */
export const notificationRoutes: RoutePlugin = async (app, { services }) => {
  const { notifications } = services;

  app.get('/v1/notifications', {
    schema: { tags: ['notifications'], summary: 'Your feed: one entry per conversation and batch of missed messages, newest activity first', querystring: FeedQuery, response: { 200: Type.Object({ notifications: Type.Array(NotificationJson) }), ...errors } },
    handler: async (request) => {
      const q = request.query;
      const list = await notifications.feed(actorOf(request), { limit: q.limit ?? 50, ...(q.unread !== undefined && { unread: q.unread }), ...(q.before !== undefined && { before: q.before }) });
      return { notifications: list.map(presentNotification) };
    },
  });

  app.post('/v1/notifications/read', {
    schema: { tags: ['notifications'], summary: 'Mark entries read ({ids} or {all: true}); their escalation stops', body: NotificationReadBody, response: { 200: Type.Object({ notifications: Type.Array(NotificationJson) }), ...errors } },
    handler: async (request) => {
      const body = request.body;
      const changed = await notifications.markRead(actorOf(request), 'all' in body ? 'all' : body.ids);
      return { notifications: changed.map(presentNotification) };
    },
  });

  app.get('/v1/push/vapid-public-key', {
    schema: { tags: ['notifications'], summary: 'The VAPID public key browsers subscribe with (applicationServerKey)', response: { 200: Type.Object({ public_key: Type.String() }), ...errors } },
    handler: async (request) => ({ public_key: notifications.publicKey(actorOf(request)) }),
  });

  app.post('/v1/push-subscriptions', {
    schema: { tags: ['notifications'], summary: 'Register this browser for web push (the PushSubscription as JSON, with an optional device_id)', body: PushSubscriptionBody, response: { 201: Type.Object({ subscription: PushSubscriptionJson }), ...errors } },
    handler: async (request, reply) => reply.status(201).send({ subscription: presentSubscription(await notifications.subscribe(actorOf(request), request.body)) }),
  });

  app.delete('/v1/push-subscriptions', {
    schema: { tags: ['notifications'], summary: 'Stop web push to this browser', body: EndpointBody, response: { 204: Type.Null(), ...errors } },
    handler: async (request, reply) => {
      await notifications.unsubscribe(actorOf(request), request.body.endpoint);
      return reply.status(204).send(null);
    },
  });

  app.get('/v1/me/notification-settings', {
    schema: { tags: ['notifications'], summary: 'Your notification preferences (the defaults until you save some)', response: { 200: Type.Object({ settings: NotificationSettingsJson }), ...errors } },
    handler: async (request) => ({ settings: presentSettings(await notifications.settings(actorOf(request))) }),
  });

  app.put('/v1/me/notification-settings', {
    schema: { tags: ['notifications'], summary: 'Replace your notification preferences; a muted conversation escalates only emergency steps', body: NotificationSettingsBody, response: { 200: Type.Object({ settings: NotificationSettingsJson }), ...errors } },
    handler: async (request) => ({ settings: presentSettings(await notifications.saveSettings(actorOf(request), request.body)) }),
  });

  // The email's link, followed from a mail client: no login, the signature is the credential.
  app.get('/v1/notifications/unsubscribe', {
    config: { auth: false },
    schema: { tags: ['notifications'], summary: 'Turn notification emails off, from the signed link in one', querystring: UnsubscribeQuery, response: { 200: Type.String(), 403: ErrorBody, 422: ErrorBody } },
    handler: async (request, reply) => {
      await notifications.unsubscribeByLink(request.query.user, request.query.sig);
      return reply.type('text/html; charset=utf-8').send(UNSUBSCRIBED_PAGE);
    },
  });
};
