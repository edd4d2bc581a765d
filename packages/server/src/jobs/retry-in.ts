/**
 * Thrown by a handler that keeps its own retry schedule (a webhook delivery: the Standard
 * Webhooks schedule, a receiver's `Retry-After`): the job is due again after `delayMs`, and the
 * runner's own backoff and `maxAttempts` do not apply, since the handler decides when to stop
 * (by resolving).
 * @example throw new RetryIn(30_000, 'receiver answered 503');
 */
export class RetryIn extends Error {
  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'RetryIn';
  }
}
