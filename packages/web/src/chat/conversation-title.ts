import type { ConversationJson } from '@switchboard/protocol';

/** A conversation's name: its title, else its host object ("trip T-1001"), else its type. */
export function conversationTitle(c: Pick<ConversationJson, 'title' | 'context' | 'type'>, fallback: string): string {
  if (c.title) return c.title;
  if (c.context) return `${c.context.type} ${c.context.id}`;
  return c.type ? `${fallback} (${c.type})` : fallback;
}
