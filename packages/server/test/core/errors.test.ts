import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';

describe('the error registry', () => {
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];

  it('gives every code an HTTP error status, a message and a retry flag', () => {
    for (const code of codes) {
      const entry = ERROR_CODES[code];
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      expect(entry.message.length, code).toBeGreaterThan(5);
      expect(typeof entry.retryable, code).toBe('boolean');
    }
  });

  it('names codes in snake_case', () => {
    for (const code of codes) expect(code).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
  });

  it('marks exactly the transient failures as retryable', () => {
    const retryable = codes.filter((c) => ERROR_CODES[c].retryable).sort();
    expect(retryable).toEqual(['file_pending', 'hook_unavailable', 'host_unavailable', 'internal', 'rate_limited', 'slow_mode', 'store_unavailable']);
  });

  it('renders the REST body shape', () => {
    expect(new AppError('not_found').toBody()).toEqual({ error: { code: 'not_found', message: 'The resource does not exist' } });
    expect(new AppError('validation_failed', 'bad', [{ path: '/x', message: 'y' }]).toBody().error.details).toEqual([{ path: '/x', message: 'y' }]);
  });
});
