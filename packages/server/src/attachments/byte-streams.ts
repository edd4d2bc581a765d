/** Small helpers over streams of byte chunks (any `AsyncIterable<Uint8Array>`, Node streams included). */

/**
 * Passes chunks through until more than `maxBytes` have gone by, then throws what `tooLarge`
 * makes, so an oversized file is stopped at the first byte over instead of after the whole of it.
 */
export async function* limitBytes(source: AsyncIterable<Uint8Array>, maxBytes: number, tooLarge: () => Error): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge();
    yield chunk;
  }
}

/** Passes chunks through, calling `check` on each and once more at the end. */
export async function* inspectBytes(source: AsyncIterable<Uint8Array>, check: { push(chunk: Uint8Array): void; end(): void }): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    check.push(chunk);
    yield chunk;
  }
  check.end();
}

export interface Head {
  /** At least `bytes` bytes from the start, or the whole stream when it is shorter. */
  readonly head: Buffer;
  /** True when the stream ended within the head. */
  readonly complete: boolean;
  /** The whole stream again, from its first byte: the head, then the unread rest. */
  readonly all: AsyncGenerator<Uint8Array>;
  /** Stops reading (and destroys the source) when the rest will not be wanted. */
  close(): Promise<void>;
}

/** Reads the first `bytes` of a stream to look at them, keeping the rest unread. */
export async function readHead(source: AsyncIterable<Uint8Array>, bytes: number): Promise<Head> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let complete = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      complete = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (complete) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return {
    head,
    complete,
    all: all(),
    async close() {
      await iterator.return?.();
    },
  };
}

/** Reads a whole stream into one buffer (for sources already bounded in size). */
export async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}
