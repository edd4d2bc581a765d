import { SteppergoLocation, type SteppergoMessageType } from '@switchboard/protocol';
import { AppError } from '../../core/errors.js';
import type { Json } from '../../core/model.js';
import type { SendMessageInput } from '../../messages/message.service.js';
import { compileValidator } from '../../core/validation.js';

/** The context type of a StepperGO trip's conversation. */
export const TRIP = 'trip';

const checkLocation = compileValidator(SteppergoLocation);

/** A message as StepperGO's clients send it, on the socket or over REST. */
export interface TripSend {
  readonly content: string;
  readonly type?: SteppergoMessageType | undefined;
  readonly metadata?: (Json & { tempId?: string | undefined }) | undefined;
}

/**
 * Translates a StepperGO message into the service's input: the type becomes the kind, and
 * `metadata.tempId` the idempotency key (a resend of the same optimistic message is the same
 * message). A `LOCATION` must carry `{latitude, longitude, accuracy?}` in its metadata.
 */
export function toSendInput(send: TripSend): SendMessageInput {
  const metadata = send.metadata ?? {};
  if (send.type === 'LOCATION') {
    const checked = checkLocation(metadata);
    if (!checked.ok) {
      const details = checked.details.map((d) => ({ ...d, path: `/metadata${d.path ?? ''}` }));
      throw new AppError('validation_failed', `A LOCATION message needs metadata {latitude, longitude, accuracy?}: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
    }
  }
  return {
    content: send.content,
    ...(send.type !== undefined && { kind: send.type.toLowerCase() }),
    metadata,
    ...(typeof metadata.tempId === 'string' && { clientId: metadata.tempId }),
  };
}
