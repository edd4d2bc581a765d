import type { ErrorCode } from '@switchboard/protocol';

/** Codes the SDK itself raises, beside the server's registry codes. */
export type ClientErrorCode =
  /** The client was closed (`client.close()`) before the operation finished. */
  | 'client_closed'
  /** The operation needs a live connection and there is none right now. */
  | 'offline'
  /** The server did not answer in time; the link is treated as dead and reconnected. */
  | 'timeout'
  /** The send was cancelled with `conversation.cancel(clientId)`. */
  | 'cancelled';

/**
 * Every failure the SDK reports. `code` is the server's stable registry code (see
 * `ERROR_CODES` in @switchboard/protocol) or one of the SDK's own; `retryable` says whether the
 * same operation may succeed later, `terminal` whether the client has stopped for good.
 */
export class SwitchboardError extends Error {
  override readonly name = 'SwitchboardError';

  constructor(
    readonly code: ErrorCode | ClientErrorCode | (string & {}),
    message: string,
    readonly options: { readonly retryable?: boolean; readonly terminal?: boolean; readonly retryAfterSeconds?: number; readonly details?: unknown } = {},
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.options.retryable ?? false;
  }

  get terminal(): boolean {
    return this.options.terminal ?? false;
  }

  get retryAfterSeconds(): number | undefined {
    return this.options.retryAfterSeconds;
  }
}

/** The error of a native reply `{success: false, error, code, retryable?, retry_after?}`. */
export function replyError(reply: { error?: unknown; code?: unknown; retryable?: unknown; retry_after?: unknown; details?: unknown }): SwitchboardError {
  const code = typeof reply.code === 'string' ? reply.code : 'internal';
  const message = typeof reply.error === 'string' ? reply.error : code;
  return new SwitchboardError(code, message, {
    retryable: reply.retryable === true,
    ...(typeof reply.retry_after === 'number' && { retryAfterSeconds: reply.retry_after }),
    ...(reply.details !== undefined && { details: reply.details }),
  });
}
