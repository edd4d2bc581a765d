/**
 * Everything a role can be granted. A policy file may grant only these; a typo fails the start.
 */
export const ABILITIES = [
  /** Start conversations with other users (subject to `can_start_with`). */
  'conversations.create',
  /** Read any conversation without being a participant (monitoring, audit). */
  'conversations.monitor',
  /** Add or remove participants and change the status of any conversation. */
  'conversations.manage',
  /** Open a support case. */
  'support.create',
  /** Watch support queues and their rooms. */
  'support.monitor',
  /** Accept, assign and resolve support cases. */
  'support.handle',
  /** Hide or delete other people's messages. */
  'messages.moderate',
  /** Create, change and disable users. */
  'users.manage',
] as const;

export type Ability = (typeof ABILITIES)[number];
