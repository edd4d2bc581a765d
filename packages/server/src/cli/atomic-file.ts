import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';


/** Somewhere to write text in order, waiting when the destination is slow. */
export interface TextSink {
  write(text: string): Promise<void>;
}

/** A sink over a stream that honours backpressure (stdout, a file). */
export function streamSink(stream: NodeJS.WritableStream): TextSink {
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
  };
}

/**
 * Writes a file that appears whole or not at all: the text goes to a temporary file beside it,
 * which is renamed over `path` only once `produce` finished and every byte was written. On failure
 * the temporary file is removed and `path` is left as it was.
 */
export async function writeFileAtomically<T>(path: string, produce: (sink: TextSink) => Promise<T>): Promise<T> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const stream = createWriteStream(temporary, { flags: 'wx' });
  try {
    await once(stream, 'open');
    const result = await produce(streamSink(stream));
    stream.end();
    await once(stream, 'finish');
    await rename(temporary, path);
    return result;
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}
