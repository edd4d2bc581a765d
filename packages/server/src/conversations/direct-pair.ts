import type { ConversationContext } from '../core/model.js';

/** The context type of a direct conversation: derived by the server, never claimed by a caller. */
export const DIRECT_CONTEXT_TYPE = 'direct';

/**
 * The context of the one direct conversation between two users, the same whichever of them
 * asks. Ids are escaped before they are joined, so no two pairs share a context: unescaped,
 * `a` + `b:c` and `a:b` + `c` would both be `a:b:c`. Ids without `%` or `:` read as before.
 * @example directPairContext('driver1', 'control1') // { type: 'direct', id: 'control1:driver1' }
 */
export function directPairContext(first: string, second: string): ConversationContext {
  const escape = (id: string) => id.replace(/%/g, '%25').replace(/:/g, '%3A');
  return { type: DIRECT_CONTEXT_TYPE, id: [first, second].map(escape).sort().join(':') };
}
