import type { SearchMessagesResponse } from '@switchboard/protocol';
import { presentMessage } from '../wire/v1-presenters.js';
import type { SearchPage } from './search.service.js';

/** One answer for REST and the native WebSocket alike. */
export const presentSearchPage = (page: SearchPage): SearchMessagesResponse => ({
  results: page.results.map(({ message, snippet }) => ({ message: presentMessage(message), conversation_id: message.conversationId, seq: message.seq, snippet })),
  next_cursor: page.nextCursor,
});
