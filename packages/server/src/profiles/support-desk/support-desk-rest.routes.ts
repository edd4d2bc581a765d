import { DeskIdParam, DeskLogin, DeskCreateBody, DeskPaging, DeskSendBody, DeskReadBody, DeskStatusBody } from '@switchboard/protocol';
import { Type } from 'typebox';
import { AppError } from '../../core/errors.js';
import type { Message, User } from '../../core/model.js';
import { actorOf, userActorOf } from '../../rest/authenticate.js';
import type { RoutePlugin } from '../../rest/route-kit.js';
import type { EdgeServices } from '../../edge-services.js';
import type { SupportCase } from '../../storage/store.js';
import { MultipartUpload } from '../../attachments/multipart-upload.js';
import { registerMultipart } from '../../attachments/register-multipart.js';
import { compileValidator } from '../../core/validation.js';
import { useErrorShape } from '../../rest/error-shape.js';
import { supportDeskErrorShape } from './support-desk-error-shape.js';
import { deskMessage, deskSession, readBy } from './support-desk-shapes.js';

const profile = (u: User) => ({ id: u.id, email: u.email, first_name: u.firstName, last_name: u.lastName, role: u.roles[0] ?? null, name: u.displayName });

/**
 * The support desk's REST surface under `/api/v1/chat` and its two logins, answered in its own
 * shapes (`{success, data}` and `{success:false, error}`).
 */
export const supportDeskRestRoutes: RoutePlugin = async (app, { services }) => {
  useErrorShape(app, supportDeskErrorShape);

  app.post('/api/v1/auth/login', {
    config: { auth: false },
    schema: { tags: ['support-desk'], summary: 'Support-desk login', body: DeskLogin },
    handler: async (request) => {
      const { accessToken, user } = await services.auth.login(request.body.email, request.body.password, { address: request.ip });
      return { message: 'Login successful', user: profile(user), token: accessToken };
    },
  });

  app.post('/api/v1/support/auth/login', {
    config: { auth: false },
    schema: { tags: ['support-desk'], summary: 'Support agent login', body: DeskLogin },
    handler: async (request) => {
      const { accessToken, user } = await services.auth.login(request.body.email, request.body.password, { address: request.ip });
      if (!services.policy.can({ kind: 'user', roles: user.roles }, 'support.handle')) throw new AppError('forbidden', 'Not a support agent');
      return { success: true, message: 'Login successful', token: accessToken, agent: profile(user) };
    },
  });

  app.post('/api/v1/chat/sessions', {
    schema: { tags: ['support-desk'], summary: 'Open a chat session', body: DeskCreateBody },
    handler: async (request, reply) => {
      const b = request.body;
      const links = { ...(b.restaurant_id && { restaurant: b.restaurant_id }), ...(b.ticket_id && { ticket: b.ticket_id }) };
      const result = await services.support.open(actorOf(request), {
        subject: b.subject,
        ...(b.initial_message !== undefined && { content: b.initial_message }),
        ...(b.priority !== undefined && { priority: b.priority }),
        ...(b.category !== undefined && { category: b.category }),
        ...(Object.keys(links).length > 0 && { links }),
      });
      return reply.status(201).send({ success: true, data: deskSession(result.supportCase, result.conversation) });
    },
  });

  app.get('/api/v1/chat/sessions', {
    schema: { tags: ['support-desk'], summary: 'Open sessions (agents)' },
    handler: async (request) => {
      const actor = actorOf(request);
      if (!services.support.isStaff(actor)) throw new AppError('forbidden', 'Only support agents can list all sessions');
      return { success: true, data: await sessions(services, actor, await services.support.list(actor, { statuses: ['waiting', 'active'], limit: 100 })) };
    },
  });

  app.get('/api/v1/chat/sessions/my', {
    schema: { tags: ['support-desk'], summary: 'Sessions you opened, or (agents) are assigned' },
    handler: async (request) => {
      const actor = userActorOf(request);
      const mine = services.support.isStaff(actor) ? await services.support.list(actor, { mine: true, limit: 100 }) : await services.support.list(actor, { limit: 100 });
      return { success: true, data: await sessions(services, actor, mine) };
    },
  });

  app.get('/api/v1/chat/sessions/:id', {
    schema: { tags: ['support-desk'], summary: 'One session with unread count and last message', params: DeskIdParam },
    handler: async (request) => {
      const actor = actorOf(request);
      const { supportCase } = await services.support.get(actor, request.params.id);
      return { success: true, data: (await sessions(services, actor, [supportCase]))[0] };
    },
  });

  app.get('/api/v1/chat/sessions/:id/messages', {
    schema: { tags: ['support-desk'], summary: 'Messages, newest window after offset, oldest first', params: DeskIdParam, querystring: DeskPaging },
    handler: async (request) => {
      const actor = actorOf(request);
      const messages = await services.messages.window(actor, request.params.id, request.query.offset ?? 0, request.query.limit ?? 50);
      return { success: true, data: await renderMessages(services, request.params.id, messages) };
    },
  });

  await registerMultipart(app, services.config);
  const validateSend = compileValidator(DeskSendBody);

  app.post('/api/v1/chat/sessions/:id/messages', {
    schema: { tags: ['support-desk'], summary: 'Send a message: JSON, or multipart with content, message_type and up to 5 files in "attachments"', params: DeskIdParam, consumes: ['application/json', 'multipart/form-data'] },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      let body: unknown = request.body;
      let attachmentIds: string[] = [];
      if (request.isMultipart()) {
        // Membership first: a stranger's files are never stored.
        await services.access.write(actor, request.params.id);
        const upload = new MultipartUpload(request);
        try {
          attachmentIds = (await services.attachments.upload(actor, upload.parts(), { allowNone: true })).map((a) => a.id);
        } catch (error) {
          upload.abandon(reply);
          throw error;
        }
        body = { content: upload.fields.content ?? '', ...(upload.fields.message_type && { message_type: upload.fields.message_type }), ...(upload.fields.temp_id && { temp_id: upload.fields.temp_id }) };
      }
      const checked = validateSend(body ?? {});
      if (!checked.ok) throw new AppError('validation_failed', `Validation failed: ${checked.details.map((d) => `${d.path} ${d.message}`).join('; ')}`, checked.details);
      const b = checked.value;
      const { message } = await services.messages.send(actor, request.params.id, {
        content: b.content,
        ...(b.message_type !== undefined && { kind: b.message_type.toLowerCase() }),
        ...(b.temp_id !== undefined && { clientId: b.temp_id }),
        ...((attachmentIds.length > 0 || b.attachment_ids) && { attachmentIds: [...attachmentIds, ...(b.attachment_ids ?? [])] }),
      });
      return reply.status(201).send({ success: true, data: (await renderMessages(services, request.params.id, [message]))[0] });
    },
  });

  app.post('/api/v1/chat/upload', {
    schema: { tags: ['support-desk'], summary: 'Pre-upload files (multipart, "attachments")', consumes: ['multipart/form-data'] },
    handler: async (request, reply) => {
      if (!request.isMultipart()) throw new AppError('unsupported_media_type', 'Send the files as multipart/form-data');
      const upload = new MultipartUpload(request);
      try {
        const stored = await services.attachments.upload(actorOf(request), upload.parts());
        const data = stored.map((s) => services.attachments.toModel(s)).map((a) => ({ id: a.id, file_name: a.name, file_url: a.url ?? null, file_size: a.size, file_type: a.contentType, thumbnail_url: a.thumbnailUrl ?? null }));
        return reply.status(201).send({ success: true, data });
      } catch (error) {
        upload.abandon(reply);
        throw error;
      }
    },
  });

  app.post('/api/v1/chat/sessions/:id/read', {
    schema: { tags: ['support-desk'], summary: 'Mark messages (or all) as read', params: DeskIdParam, body: Type.Optional(DeskReadBody) },
    handler: async (request) => {
      await services.messages.markReadMessages(actorOf(request), request.params.id, request.body?.message_ids ?? undefined);
      return { success: true, message: 'Messages marked as read' };
    },
  });

  app.post('/api/v1/chat/sessions/:id/assign', {
    schema: { tags: ['support-desk'], summary: 'Take the session (agents)', params: DeskIdParam },
    handler: async (request) => {
      const actor = actorOf(request);
      const taken = await services.support.assign(actor, request.params.id, {});
      const { conversation } = await services.support.get(actor, request.params.id);
      return { success: true, data: deskSession(taken, conversation) };
    },
  });

  app.patch('/api/v1/chat/sessions/:id/status', {
    schema: { tags: ['support-desk'], summary: 'Change the session status', params: DeskIdParam, body: DeskStatusBody },
    handler: async (request) => {
      const actor = actorOf(request);
      const updated = await services.support.setStatus(actor, request.params.id, request.body.status);
      const { conversation } = await services.support.get(actor, request.params.id);
      return { success: true, data: deskSession(updated, conversation) };
    },
  });
};

async function sessions(services: EdgeServices, actor: ReturnType<typeof actorOf>, cases: readonly SupportCase[]) {
  const userId = actor.kind === 'user' ? actor.user.id : undefined;
  return Promise.all(
    cases.map(async (c) => {
      const summary = userId === undefined ? undefined : await services.directory.conversations.summaryFor(c.conversationId, userId);
      const conversation = summary?.conversation ?? (await services.directory.conversations.byId(c.conversationId))!;
      return deskSession(c, conversation, { unreadCount: summary?.unreadCount ?? 0, lastMessage: summary?.lastMessage ?? null });
    }),
  );
}

async function renderMessages(services: EdgeServices, conversationId: string, messages: readonly Message[]) {
  const participants = await services.directory.conversations.participants(conversationId);
  const users = new Map((await services.directory.users.byIds([...new Set(messages.flatMap((m) => (m.senderId === null ? [] : [m.senderId])))])).map((u) => [u.id, u]));
  return messages.map((m) => ({
    ...deskMessage(m, m.senderId === null ? undefined : users.get(m.senderId)),
    read_by: readBy(m, participants),
  }));
}
