import { SEARCH_DEFAULT_LIMIT, SEARCH_MIN_QUERY_LENGTH } from '@switchboard/protocol';
import type { Actor } from '../core/actor.js';
import { AppError, type ErrorDetail } from '../core/errors.js';
import type { Message } from '../core/model.js';
import { decodeCursor, encodeCursor } from '../core/opaque-cursor.js';
import { visibleTo, type Viewer } from '../core/message-visibility.js';
import type { ConversationAccess } from '../conversations/conversation-access.js';
import type { MessageSearchQuery, Store } from '../storage/store.js';
import { codePointLength, normaliseForSearch } from './search-text.js';
import { snippet } from './snippet.js';

/** A search as a caller states it; every field but `q` optional. */
export interface SearchInput {
  readonly q: string;
  readonly conversationId?: string | undefined;
  readonly contextType?: string | undefined;
  readonly senderId?: string | undefined;
  readonly before?: string | undefined;
  readonly after?: string | undefined;
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

export interface SearchResult {
  /** As this caller sees it (`visibleTo`), reactions included. */
  readonly message: Message;
  readonly snippet: string;
}

export interface SearchPage {
  readonly results: readonly SearchResult[];
  /** Opaque; null on the last page. */
  readonly nextCursor: string | null;
}

/** `2030-01-01` or a full instant with a zone (`2030-01-01T10:00:00Z`, `…+02:00`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Message search over every conversation the caller may read now. Which ones is decided by
 * `ConversationAccess` (the rule of reading, as a set), never here; what a reader sees of a
 * message by `visibleTo`. Hidden and deleted messages never match, a shadowed one only for its
 * sender.
 */
export class SearchService {
  constructor(
    private readonly store: Store,
    private readonly access: ConversationAccess,
    private readonly viewerOf: (actor: Actor) => Viewer,
  ) {}

  /**
   * Newest first, `limit` at a time. A query shorter than three characters once normalised is
   * `validation_failed` (a trigram index cannot answer it, and a scan of every message would).
   * A `conversation_id` the caller may not read is `conversation_not_found`, as everywhere.
   */
  async messages(actor: Actor, input: SearchInput): Promise<SearchPage> {
    const query = this.resolve(actor, input);
    if (input.conversationId !== undefined) await this.access.read(actor, input.conversationId);
    const limit = input.limit ?? SEARCH_DEFAULT_LIMIT;
    // One more than asked, to know whether there is a next page without a second query.
    const hits = await this.store.search.messages({ ...query, limit: limit + 1 });
    const page = hits.slice(0, limit);
    const viewer = this.viewerOf(actor);
    const reactions = await this.store.reactions.forMessages(page.map((h) => h.message.id));
    const results = page.map(({ message }) => {
      const seen = visibleTo(message, viewer);
      return { message: { ...seen, reactions: reactions.get(message.id) ?? [] }, snippet: snippet(seen.content, query.text) };
    });
    const last = page[page.length - 1];
    return { results, nextCursor: hits.length > limit && last ? encodeCursor(SEARCH_CURSOR, last.position) : null };
  }

  /** Every problem of the input at once, as one `validation_failed`. */
  private resolve(actor: Actor, input: SearchInput): Omit<MessageSearchQuery, 'limit'> {
    const problems: ErrorDetail[] = [];
    const text = normaliseForSearch(input.q);
    if (codePointLength(text) < SEARCH_MIN_QUERY_LENGTH) problems.push({ path: '/q', message: `must be at least ${SEARCH_MIN_QUERY_LENGTH} characters, not counting spaces at the ends, punctuation between words or invisible characters` });
    const before = input.before === undefined ? undefined : instant(input.before, '/before', problems);
    const after = input.after === undefined ? undefined : instant(input.after, '/after', problems);
    const cursor = input.cursor === undefined ? undefined : searchPosition(input.cursor, problems);
    if (problems.length > 0) throw new AppError('validation_failed', problems.map((p) => `${p.path!.slice(1)} ${p.message}`).join('; '), problems);
    return {
      text,
      scope: this.access.readScope(actor),
      viewerId: actor.kind === 'user' ? actor.user.id : undefined,
      ...(input.conversationId !== undefined && { conversationId: input.conversationId }),
      ...(input.contextType !== undefined && { contextType: input.contextType }),
      ...(input.senderId !== undefined && { senderId: input.senderId }),
      ...(before !== undefined && { before }),
      ...(after !== undefined && { after }),
      ...(cursor !== undefined && { cursor }),
    };
  }
}

function instant(value: string, path: string, problems: ErrorDetail[]): string | undefined {
  const ms = ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  problems.push({ path, message: 'must be an ISO-8601 date or instant with a zone, e.g. 2030-01-01 or 2030-01-01T00:00:00Z' });
  return undefined;
}

const SEARCH_CURSOR = 's1';

function searchPosition(cursor: string, problems: ErrorDetail[]): string | undefined {
  const position = decodeCursor(SEARCH_CURSOR, cursor);
  if (position === undefined) problems.push({ path: '/cursor', message: 'is not one this search returned' });
  return position;
}
