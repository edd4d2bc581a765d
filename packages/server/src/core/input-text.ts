import type { ErrorDetail } from './errors.js';

/** How deep an input may nest. Deeper JSON is refused before it reaches a serializer's stack. */
export const MAX_INPUT_DEPTH = 32;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The rules every input string obeys on every transport, before any schema: no NUL (PostgreSQL
 * refuses it in text, SQLite keeps it, so the two stores would disagree) and no lone surrogate
 * (it cannot be encoded as UTF-8 and would be stored as U+FFFD, so what was acknowledged would
 * differ from what is stored). Object keys count as strings. Returns the first problem found.
 */
export function inputProblem(value: unknown): ErrorDetail | undefined {
  const pending: { readonly value: unknown; readonly path: string; readonly depth: number }[] = [{ value, path: '', depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: current, path, depth } = next;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem) return { path, message: problem };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_INPUT_DEPTH) return { path, message: `nests deeper than ${MAX_INPUT_DEPTH} levels` };
    for (const [key, child] of Object.entries(current)) {
      const childPath = `${path}/${key}`;
      const keyProblem = textProblem(key);
      if (keyProblem) return { path: childPath, message: `key ${keyProblem}` };
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (it holds a lone surrogate)';
  return undefined;
}
