import { InvalidArgumentError } from 'commander';

/** Commander parser for a whole number ≥ 1 (`--days 30`); anything else is a usage error. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return parsed;
}
