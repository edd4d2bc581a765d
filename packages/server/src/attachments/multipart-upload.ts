import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { UploadPart } from './attachment.service.js';
import { toMultipartError } from './multipart-errors.js';

/**
 * One multipart request seen as the service's stream of {@link UploadPart}s: every file field
 * (`attachments`, `files` or any other name) in order, plain fields skipped, and every failure
 * of the parser turned into a registry error where it surfaces.
 */
export class MultipartUpload {
  private current: Readable | undefined;
  /** Plain form fields seen so far (a message's `content` beside its files). */
  readonly fields: Record<string, string> = {};

  constructor(private readonly request: FastifyRequest) {}

  async *parts(): AsyncGenerator<UploadPart> {
    const parts = this.request.parts();
    for (;;) {
      const next = await parts.next().catch((error: unknown) => {
        throw toMultipartError(error);
      });
      if (next.done) return;
      const part = next.value;
      if (part.type === 'field') {
        this.fields[part.fieldname] = String(part.value);
        continue;
      }
      this.current = part.file;
      yield { filename: part.filename, stream: translateErrors(part.file) };
    }
  }

  /**
   * After a failed upload: stops the parser, and has the connection closed once the error is
   * sent, since the rest of the body will not be read. Draining it instead would make the
   * server read every byte of an oversized upload it has already refused.
   */
  abandon(headers: { header(name: string, value: string): unknown }): void {
    this.current?.destroy();
    if (!this.request.raw.complete) headers.header('connection', 'close');
  }
}

async function* translateErrors(stream: Readable): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (error) {
    throw toMultipartError(error);
  }
}
