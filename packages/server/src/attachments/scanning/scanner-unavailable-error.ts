/**
 * A scan that did not run to a verdict: the scanner was unreachable, went silent past its timeout,
 * or answered with an error. Transient by nature, so the scan job retries it with backoff.
 */
export class ScannerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScannerUnavailableError';
  }
}
