import { Type } from 'typebox';

const Id = Type.String({ minLength: 1, maxLength: 200 });
/** The kinds of StepperGO messages; clients may send all but `SYSTEM`, which the server writes. */
export const STEPPERGO_MESSAGE_TYPES = ['TEXT', 'IMAGE', 'FILE', 'LOCATION', 'SYSTEM'] as const;
export type SteppergoMessageType = (typeof STEPPERGO_MESSAGE_TYPES)[number];
const MessageType = Type.Unsafe<SteppergoMessageType>({ type: 'string', enum: [...STEPPERGO_MESSAGE_TYPES] });
/** Free-form, as the original stored it; `tempId` is the client's id of an optimistic message. */
const Metadata = Type.Object({ tempId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: true });
const Conversation = Type.Object({ conversationId: Id });

/** What a `LOCATION` message's metadata must hold. */
export const SteppergoLocation = Type.Object({
  latitude: Type.Number({ minimum: -90, maximum: 90 }),
  longitude: Type.Number({ minimum: -180, maximum: 180 }),
  accuracy: Type.Optional(Type.Number({ minimum: 0 })),
});

/**
 * StepperGO's Socket.IO client events (path `/api/socket`) and their data schemas. Failures are
 * answered with `error {message}`, and through the acknowledgement when the client asked for one.
 */
export const STEPPERGO_CLIENT_EVENTS = {
  'join:conversation': Type.Object({ tripId: Id }),
  'message:send': Type.Object({ conversationId: Id, content: Type.String(), type: Type.Optional(MessageType), metadata: Type.Optional(Metadata) }),
  'typing:start': Conversation,
  'typing:stop': Conversation,
  'messages:read': Conversation,
} as const;

export type SteppergoClientEvent = keyof typeof STEPPERGO_CLIENT_EVENTS;

/** StepperGO's REST bodies (`/api/auth`, `/api/messages`). */
export const SteppergoLogin = Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }), remember: Type.Optional(Type.Boolean()) });
export const SteppergoTripParam = Type.Object({ tripId: Id });
export const SteppergoHistoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  /** Messages before this seq (paging back); absent: the newest. */
  before: Type.Optional(Type.Integer({ minimum: 1 })),
});
export const SteppergoSendBody = Type.Object({ tripId: Id, content: Type.String(), type: Type.Optional(MessageType), metadata: Type.Optional(Metadata) });
export const SteppergoReadBody = Conversation;
export const SteppergoReportBody = Type.Object({ messageId: Id, reason: Type.String({ minLength: 1, maxLength: 100 }) });
