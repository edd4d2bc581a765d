import type { DialectAdapter } from '../dialect-adapter.js';
import type { ReactionRepository, ReactionSummary } from '../store.js';
import { arg, PreparedQuery } from './prepared-query.js';
import { now } from './rows.js';

interface ReactionRow {
  readonly message_id: string;
  readonly user_id: string;
  readonly emoji: string;
}

export class KyselyReactionRepository implements ReactionRepository {
  /**
   * A page's reactions by its seq range: one prepared statement, where an id list of a
   * 500-message page is a query built, compiled and planned anew each time (~1 ms).
   */
  private readonly inRange: PreparedQuery<ReactionRow>;

  constructor(private readonly adapter: DialectAdapter) {
    this.inRange = new PreparedQuery(adapter, (db) =>
      db
        .selectFrom('message_reactions as r')
        .innerJoin('messages as m', 'm.id', 'r.message_id')
        .select(['r.message_id', 'r.user_id', 'r.emoji'])
        .where('m.conversation_id', '=', arg(0))
        .where('m.seq', '>=', arg<number>(1))
        .where('m.seq', '<=', arg<number>(2))
        .orderBy('r.created_at')
        .orderBy('r.user_id'),
    );
  }

  async add(messageId: string, userId: string, emoji: string): Promise<boolean> {
    const result = await this.adapter.db
      .insertInto('message_reactions')
      .values({ message_id: messageId, user_id: userId, emoji, created_at: now() })
      .onConflict((oc) => oc.columns(['message_id', 'user_id', 'emoji']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async remove(messageId: string, userId: string, emoji: string): Promise<boolean> {
    const result = await this.adapter.db
      .deleteFrom('message_reactions')
      .where('message_id', '=', messageId)
      .where('user_id', '=', userId)
      .where('emoji', '=', emoji)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async forMessages(messageIds: readonly string[]): Promise<Map<string, ReactionSummary[]>> {
    if (messageIds.length === 0) return new Map();
    const rows = await this.adapter.db
      .selectFrom('message_reactions')
      .select(['message_id', 'user_id', 'emoji'])
      .where('message_id', 'in', [...messageIds])
      .orderBy('created_at')
      .orderBy('user_id')
      .execute();
    return summarize(rows);
  }

  async forSeqRange(conversationId: string, fromSeq: number, toSeq: number): Promise<Map<string, ReactionSummary[]>> {
    if (fromSeq > toSeq) return new Map();
    return summarize((await this.inRange.execute(this.adapter.db, [conversationId, fromSeq, toSeq])).rows);
  }
}

/** Rows in reaction order → each message's emojis in first-use order, with who used them. */
function summarize(rows: readonly ReactionRow[]): Map<string, ReactionSummary[]> {
  const result = new Map<string, ReactionSummary[]>();
  for (const row of rows) {
    const list = result.get(row.message_id) ?? [];
    if (!result.has(row.message_id)) result.set(row.message_id, list);
    let entry = list.find((r) => r.emoji === row.emoji) as { emoji: string; userIds: string[] } | undefined;
    if (!entry) list.push((entry = { emoji: row.emoji, userIds: [] }));
    entry.userIds.push(row.user_id);
  }
  return result;
}
