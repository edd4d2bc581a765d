import { Type, type Static } from 'typebox';
import { MessageJson } from './v1.js';

/** Message search's wire shapes: `GET /v1/search/messages` and the native frame `search_messages` (docs/search.md). */

/** The shortest query, in characters after normalisation: a trigram index needs three. */
export const SEARCH_MIN_QUERY_LENGTH = 3;
export const SEARCH_MAX_QUERY_LENGTH = 200;
export const SEARCH_MAX_LIMIT = 100;
export const SEARCH_DEFAULT_LIMIT = 20;

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Instant = Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 date or instant with a zone, e.g. 2030-01-01T10:00:00Z' });

/** The question, as a query string and as the frame's `data`. */
export const SearchMessagesParams = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: SEARCH_MAX_QUERY_LENGTH, description: `Found anywhere inside a message, after normalisation (case, ё/е, Latin accents, Amharic homophones); at least ${SEARCH_MIN_QUERY_LENGTH} characters` }),
    conversation_id: Type.Optional(Id),
    context_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only conversations of host objects of this type (trip, job…)' })),
    sender_id: Type.Optional(Id),
    before: Type.Optional(Instant),
    after: Type.Optional(Instant),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'next_cursor of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: SEARCH_MAX_LIMIT, default: SEARCH_DEFAULT_LIMIT })),
  },
  { additionalProperties: false },
);
export type SearchMessagesParams = Static<typeof SearchMessagesParams>;

export const SearchResultJson = Type.Object({
  message: MessageJson,
  conversation_id: Type.String(),
  seq: Type.Integer(),
  snippet: Type.String({ description: 'An excerpt around the first match, HTML-escaped, every match inside it wrapped in <mark>…</mark>' }),
});
export type SearchResultJson = Static<typeof SearchResultJson>;

export const SearchMessagesResponse = Type.Object({
  results: Type.Array(SearchResultJson, { description: 'Newest first' }),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as cursor for older results; null on the last page' }),
});
export type SearchMessagesResponse = Static<typeof SearchMessagesResponse>;
