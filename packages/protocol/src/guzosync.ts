import { Type } from 'typebox';

/** GuzoSync's REST bodies and queries, as FastAPI declared them (unknown fields are ignored). */
export const GuzoId = Type.String({ minLength: 1, maxLength: 200 });
export const GuzoIdParam = Type.Object({ id: GuzoId });
export const GuzoLogin = Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) });
export const GuzoCreateBody = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 300 })),
  participant_ids: Type.Optional(Type.Array(GuzoId, { maxItems: 500 })),
  participants: Type.Optional(Type.Array(GuzoId, { maxItems: 500 })),
});
export const GuzoSupportBody = Type.Object({ title: Type.String({ minLength: 1, maxLength: 200 }), content: Type.String({ minLength: 1 }) });
export const GuzoSendBody = Type.Object({ content: Type.String({ minLength: 1 }), message_type: Type.Optional(Type.String({ maxLength: 32 })) });
export const GuzoPaging = Type.Object({ skip: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) });

