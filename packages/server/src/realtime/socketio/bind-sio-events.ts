import type { Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { Static, TSchema } from 'typebox';
import { AppError, isAppError, retryAfterOf } from '../../core/errors.js';
import { compileValidator } from '../../core/validation.js';

/** A profile's client events: each event's data schema, and its handler. */
export interface SioEvents<Events extends Record<string, TSchema>> {
  readonly schemas: Events;
  readonly handlers: { readonly [E in keyof Events]: (data: Static<Events[E]>) => Promise<unknown> };
  /** Runs before each event is handled (to read the actor afresh: roles change while a socket is open). */
  readonly before?: () => void;
  /** The text the protocol shows for an error of an event. */
  readonly textOf: (event: keyof Events & string, error: AppError) => string;
  /** The protocol's name for the seconds to wait before a retry (`retry_after`, `retryAfter`). */
  readonly retryAfterField: string;
  readonly logger: Pick<Logger, 'error'>;
}

/**
 * Binds a profile's events on one socket, the same way for every Socket.IO profile: data is
 * validated by the event's schema (`Invalid <event> data: <path> <problem>`), the handler's
 * result answers the acknowledgement, and every failure is emitted as `error {message, code,
 * event, retryable?, <retryAfterField>?}` and answered through the acknowledgement as
 * `{success: false, error, code, …}`. An error outside the registry is logged and shown as
 * `internal`, never with its text.
 */
export function bindSioEvents<Events extends Record<string, TSchema>>(socket: Socket, events: SioEvents<Events>): void {
  for (const [event, schema] of Object.entries(events.schemas) as [keyof Events & string, TSchema][]) {
    const validate = compileValidator(schema);
    const handle = events.handlers[event] as (data: unknown) => Promise<unknown>;
    socket.on(event as string, (data: unknown, ack?: unknown) => {
      events.before?.();
      const reply = typeof ack === 'function' ? (ack as (payload: unknown) => void) : undefined;
      const checked = validate(data ?? {});
      if (!checked.ok) {
        const message = `Invalid ${event} data: ${checked.details.map((d) => `${d.path || 'data'} ${d.message}`).join('; ')}`;
        socket.emit('error', { message, code: 'validation_failed', event });
        reply?.({ success: false, error: message, code: 'validation_failed' });
        return;
      }
      handle(checked.value).then(
        (result) => reply?.(result),
        (raw: unknown) => {
          if (!isAppError(raw)) events.logger.error({ err: raw, event }, 'socket.io handler failed');
          const error = isAppError(raw) ? raw : new AppError('internal');
          const message = events.textOf(event, error);
          const seconds = retryAfterOf(error);
          const retry = { ...(error.retryable && { retryable: true }), ...(seconds !== undefined && { [events.retryAfterField]: seconds }) };
          socket.emit('error', { message, code: error.code, event, ...retry });
          reply?.({ success: false, error: message, code: error.code, ...retry });
        },
      );
    });
  }
}
