import { SteppergoHistoryQuery, SteppergoLogin, SteppergoReadBody, SteppergoReportBody, SteppergoSendBody, SteppergoTripParam } from '@switchboard/protocol';
import { userActorOf } from '../../rest/authenticate.js';
import { useErrorShape } from '../../rest/error-shape.js';
import type { RoutePlugin } from '../../rest/route-kit.js';
import { steppergoErrorShape } from './steppergo-error-shape.js';
import { renderTripMessages } from './render-trip-messages.js';
import { toSendInput, TRIP } from './steppergo-input.js';
import { tripUser } from './steppergo-shapes.js';

/**
 * StepperGO's REST surface: its session login and logout under `/api/auth`, and a trip's
 * messages under `/api/messages`, answered in its shapes (`{success, ...}` and `{"error": "..."}`).
 */
export const steppergoRestRoutes: RoutePlugin = async (app, { services }) => {
  useErrorShape(app, steppergoErrorShape);

  app.post('/api/auth/login', {
    config: { auth: false },
    schema: { tags: ['steppergo'], summary: 'StepperGO login: an opaque session token (longer with remember)', body: SteppergoLogin },
    handler: async (request) => {
      const { email, password, remember } = request.body;
      const session = await services.auth.startSession(email, password, { address: request.ip }, { remember: remember === true });
      return { success: true, message: 'Login successful', user: tripUser(session.user), session: { token: session.token, expiresAt: new Date(session.expiresAt * 1000).toISOString() } };
    },
  });

  app.post('/api/auth/logout', {
    schema: { tags: ['steppergo'], summary: 'End the session (or revoke the JWT) this request carries; its sockets close' },
    handler: async (request) => {
      await services.auth.logout(userActorOf(request));
      return { success: true, message: 'Logged out' };
    },
  });

  app.get('/api/messages/:tripId', {
    schema: { tags: ['steppergo'], summary: "A trip's messages, oldest first, with the caller's unread count", params: SteppergoTripParam, querystring: SteppergoHistoryQuery },
    handler: async (request) => {
      const actor = userActorOf(request);
      const { tripId } = request.params;
      const { conversation } = await services.contexts.enter(actor, { type: TRIP, id: tripId });
      const page = await services.messages.page(actor, conversation.id, { limit: request.query.limit ?? 50, ...(request.query.before !== undefined && { beforeSeq: request.query.before }) });
      // The caller now has every message up to the page's newest: their senders may see DELIVERED.
      const newest = page.messages.at(-1);
      if (newest) await services.messages.markDelivered(actor, conversation.id, newest.seq);
      const summary = await services.directory.conversations.summaryFor(conversation.id, actor.user.id);
      return {
        success: true,
        tripId,
        conversationId: conversation.id,
        messages: await renderTripMessages(services.directory, conversation.id, page.messages),
        unreadCount: summary?.unreadCount ?? 0,
        hasMore: page.hasMore,
      };
    },
  });

  app.post('/api/messages/send', {
    schema: { tags: ['steppergo'], summary: "Send to a trip's conversation (REST fallback; arrives live on every transport)", body: SteppergoSendBody },
    handler: async (request, reply) => {
      const actor = userActorOf(request);
      const { conversation } = await services.contexts.enter(actor, { type: TRIP, id: request.body.tripId });
      const { message } = await services.messages.send(actor, conversation.id, toSendInput(request.body));
      const [rendered] = await renderTripMessages(services.directory, conversation.id, [message], false);
      return reply.status(201).send({ success: true, message: rendered });
    },
  });

  app.post('/api/messages/read', {
    schema: { tags: ['steppergo'], summary: 'Mark every message of the conversation as read', body: SteppergoReadBody },
    handler: async (request) => {
      const { participant, unreadCount } = await services.messages.markRead(userActorOf(request), request.body.conversationId, undefined);
      return { success: true, conversationId: request.body.conversationId, lastReadSeq: participant.lastReadSeq, unreadCount };
    },
  });

  app.post('/api/messages/report', {
    schema: { tags: ['steppergo'], summary: 'Report a message for abuse; moderators are told, and enough reports hide it', body: SteppergoReportBody },
    handler: async (request, reply) => {
      const { report, created } = await services.moderation.report(userActorOf(request), request.body.messageId, { reason: request.body.reason });
      return reply.status(created ? 201 : 200).send({ success: true, message: 'Message reported', reportId: report.id, messageId: report.messageId });
    },
  });
};
