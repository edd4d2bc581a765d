import { Type, type Static } from 'typebox';
import { ABILITIES, type Ability } from './abilities.js';

const RoleRules = Type.Object(
  {
    abilities: Type.Array(Type.Unsafe<Ability>({ type: 'string', enum: [...ABILITIES] })),
    /** When present, conversations this role starts may include only users holding one of these roles. */
    can_start_with: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);

export const PolicyDocumentSchema = Type.Object(
  {
    roles: Type.Record(Type.String({ minLength: 1 }), RoleRules),
    /** Applies to roles the file does not name. */
    default_role: Type.Optional(RoleRules),
  },
  { additionalProperties: false },
);

export type PolicyDocument = Static<typeof PolicyDocumentSchema>;
export type RoleRulesDocument = Static<typeof RoleRules>;
