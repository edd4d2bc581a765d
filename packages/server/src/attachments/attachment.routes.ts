import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Actor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { AuthService } from '../identity/auth.service.js';
import { actorOf, credentialOf, userActorOf } from '../rest/authenticate.js';
import { authErrors, IdParam, type RoutePlugin } from '../rest/route-kit.js';
import type { EdgeServices } from '../edge-services.js';
import { AttachmentJson, ErrorBody } from '@switchboard/protocol';
import { presentAttachment } from '../wire/v1-presenters.js';
import type { AttachmentService, OpenedUpload } from './attachment.service.js';
import { contentDisposition } from './content-disposition.js';
import { MultipartUpload } from './multipart-upload.js';
import { registerMultipart } from './register-multipart.js';
import type { UploadVariant } from './upload-url-signer.js';

const UploadsResponse = Type.Object({ uploads: Type.Array(AttachmentJson) });
const SignedQuery = Type.Object({
  expires: Type.Optional(Type.String({ maxLength: 20, description: 'From a signed link: expiry, epoch seconds' })),
  signature: Type.Optional(Type.String({ maxLength: 100, description: 'From a signed link' })),
});
const SignBody = Type.Union([
  Type.Object(
    {
      variant: Type.Optional(Type.Union([Type.Literal('original'), Type.Literal('thumbnail')], { default: 'original' })),
      expires_in: Type.Optional(Type.Integer({ minimum: 10, maximum: 3600, default: 300, description: 'Seconds the link stays valid' })),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
const SignedUrlResponse = Type.Object({ url: Type.String(), expires_at: Type.String() });

/**
 * `POST /v1/uploads` (multipart), `GET /v1/uploads/:id[/thumbnail]` (the bytes, by token or
 * signed link) and `POST /v1/uploads/:id/signed-url`. Multipart parsing is registered here
 * only, so no other route accepts `multipart/form-data`.
 */
export const attachmentRoutes: RoutePlugin = async (app, { services }) => {
  const attachments = attachmentServiceOf(services);
  const { uploadMaxFileBytes, uploadMaxFiles } = services.config;
  await registerMultipart(app, services.config);

  app.post('/v1/uploads', {
    schema: {
      tags: ['uploads'],
      summary: 'Upload files (multipart/form-data, field "attachments" or "files"); send their ids with a message to attach them',
      consumes: ['multipart/form-data'],
      response: { 201: UploadsResponse, 413: ErrorBody, 415: ErrorBody, ...authErrors },
    },
    handler: async (request, reply) => {
      const actor = userActorOf(request);
      const upload = new MultipartUpload(request);
      try {
        const stored = await attachments.upload(actor, upload.parts());
        return reply.status(201).send({ uploads: stored.map((s) => presentAttachment(attachments.toModel(s))) });
      } catch (error) {
        upload.abandon(reply);
        throw error;
      }
    },
  });

  for (const variant of ['original', 'thumbnail'] as const) {
    app.get(variant === 'original' ? '/v1/uploads/:id' : '/v1/uploads/:id/thumbnail', {
      // A signed link needs no token, so authentication happens in the handler.
      config: { auth: false },
      schema: {
        tags: ['uploads'],
        summary: variant === 'original' ? 'Download an upload (token, or a signed link)' : 'Download the thumbnail of an image upload (token, or a signed link)',
        params: IdParam,
        querystring: SignedQuery,
        response: { 404: ErrorBody, 409: ErrorBody, 410: ErrorBody, ...authErrors },
      },
      handler: async (request, reply) => {
        const { expires, signature } = request.query;
        const opened = expires !== undefined || signature !== undefined
          ? await attachments.openSigned(request.params.id, variant, expires ?? '', signature ?? '')
          : await attachments.open(await authenticate(request, services.auth), request.params.id, variant);
        return sendFile(reply, opened);
      },
    });
  }

  app.post('/v1/uploads/:id/signed-url', {
    schema: {
      tags: ['uploads'],
      summary: 'A short-lived link to download an upload without a token (for <img src>, downloads in a new tab)',
      params: IdParam,
      body: SignBody,
      response: { 200: SignedUrlResponse, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody, ...authErrors },
    },
    handler: async (request) => {
      const variant: UploadVariant = request.body?.variant ?? 'original';
      const signed = await attachments.grantUrl(actorOf(request), request.params.id, variant, request.body?.expires_in ?? 300);
      return { url: signed.url, expires_at: signed.expiresAt.toISOString() };
    },
  });
};

/** The shared service once `services.ts` provides it; until then, one for these routes. */
function attachmentServiceOf(services: EdgeServices): AttachmentService {
  return services.attachments;
}

/** What the global hook does for other routes, for these routes that may also be reached by a signed link. */
async function authenticate(request: FastifyRequest, auth: AuthService): Promise<Actor> {
  const credential = credentialOf(request);
  if (!credential) throw new AppError('unauthenticated');
  request.actor = credential.kind === 'api_key' ? auth.authenticateApiKey(credential.value) : await auth.authenticate(credential.value);
  return request.actor;
}

function sendFile(reply: FastifyReply, file: OpenedUpload): FastifyReply {
  return reply
    .header('content-type', file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType)
    .header('content-length', String(file.size))
    .header('content-disposition', contentDisposition(file.name, file.inline))
    .header('x-content-type-options', 'nosniff')
    // Should a browser render the file as a page anyway, it runs nothing and loads nothing.
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
    .header('cache-control', 'private')
    // `unscanned`: best-effort mode served a file the virus scanner could not check.
    .header('x-scan-status', file.scanStatus)
    .send(file.stream);
}

