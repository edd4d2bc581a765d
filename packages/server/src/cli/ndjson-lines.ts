import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { usageError } from './cli-error.js';

/** One non-blank line of an NDJSON file: its 1-based line number and its parsed value or why not. */
export type NdjsonLine = { readonly lineNumber: number } & ({ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string });

/** Fails with exit 2 when the file cannot be read. */
export async function requireReadable(file: string): Promise<void> {
  try {
    await access(file);
  } catch (error) {
    throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Reads the file line by line, never whole; blank lines are skipped but keep their numbers. */
export async function* ndjsonLines(file: string): AsyncGenerator<NdjsonLine> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    try {
      yield { lineNumber, ok: true, value: JSON.parse(text) };
    } catch (error) {
      yield { lineNumber, ok: false, problem: `not JSON (${(error as Error).message})` };
    }
  }
}

/** How many non-blank lines the file has: the total a progress bar counts towards. */
export async function countNdjsonLines(file: string): Promise<number> {
  let count = 0;
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const text of lines) if (text.trim() !== '') count++;
  return count;
}
