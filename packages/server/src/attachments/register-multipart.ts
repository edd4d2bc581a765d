import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';

/** Form fields (not files) tolerated in an upload. */
const MAX_FORM_FIELDS = 20;

/**
 * Registers multipart parsing in the calling plugin only (so no other route accepts
 * `multipart/form-data`), with the upload limits from the configuration. Each limit is one over
 * the configured value: the attachment service cuts at the exact limit with its own error and
 * cleanup; the parser's limits are the backstop that keeps a misbehaving client bounded.
 */
export async function registerMultipart(app: FastifyInstance<any, any, any, any, any>, config: Pick<Config, 'uploadMaxFileBytes' | 'uploadMaxFiles'>): Promise<void> {
  await app.register(multipart, {
    limits: {
      fileSize: config.uploadMaxFileBytes + 1,
      files: config.uploadMaxFiles + 1,
      fields: MAX_FORM_FIELDS,
      parts: config.uploadMaxFiles + 1 + MAX_FORM_FIELDS,
      fieldNameSize: 100,
      fieldSize: 64 * 1024,
      headerPairs: 20,
    },
  });
}
