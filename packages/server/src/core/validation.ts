import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { ErrorDetail } from './errors.js';
import { inputProblem } from './input-text.js';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; details: ErrorDetail[] };

export interface ValidatorOptions {
  /**
   * Convert strings to the schema's types first (`"5"` → `5`). Only for inputs that arrive as
   * strings (query strings, path parameters); JSON bodies and frames are checked as sent.
   * @default false
   */
  readonly convert?: boolean;
}

/**
 * The one way inputs are checked, shared by REST and every real-time gateway so that a
 * schema means the same thing on every transport. The text rules (`inputProblem`) come first.
 */
export function compileValidator<S extends TSchema>(schema: S, options: ValidatorOptions = {}): (value: unknown) => ValidationResult<Static<S>> {
  const check = Compile(schema);
  return (input) => {
    const value = options.convert ? Value.Convert(schema, input) : input;
    const problem = inputProblem(value);
    if (problem) return { ok: false, details: [problem] };
    if (check.Check(value)) return { ok: true, value: value as Static<S> };
    return { ok: false, details: describe(check.Errors(value)) };
  };
}

interface RawError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly message: string;
  readonly params: Record<string, unknown>;
}

function describe(errors: Iterable<RawError>): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    // `additionalProperties: false` reports each extra key twice; the keyed report names it.
    if (error.keyword === 'boolean' && error.message === 'schema is false') continue;
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params.additionalProperties as string[] | undefined) ?? [];
      for (const key of extra) details.push({ path: `${error.instancePath}/${key}`, message: 'unknown field' });
      continue;
    }
    details.push({ path: error.instancePath, message: error.message });
    if (details.length >= 20) break;
  }
  return details;
}
