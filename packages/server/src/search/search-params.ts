import type { SearchMessagesParams } from '@switchboard/protocol';
import type { SearchInput } from './search.service.js';

/** The wire's snake_case question as the service's input. */
export const searchInputOf = (p: SearchMessagesParams): SearchInput => ({
  q: p.q,
  conversationId: p.conversation_id,
  contextType: p.context_type,
  senderId: p.sender_id,
  before: p.before,
  after: p.after,
  cursor: p.cursor,
  limit: p.limit,
});
