import type { DialectAdapter } from '../dialect-adapter.js';
import type { ReactionRepository, ReactionSummary } from '../store.js';
import { now } from './rows.js';

export class KyselyReactionRepository implements ReactionRepository {
  constructor(private readonly adapter: DialectAdapter) {}

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
    const result = new Map<string, ReactionSummary[]>();
    if (messageIds.length === 0) return result;
    const rows = await this.adapter.db
      .selectFrom('message_reactions')
      .select(['message_id', 'user_id', 'emoji'])
      .where('message_id', 'in', [...messageIds])
      .orderBy('created_at')
      .orderBy('user_id')
      .execute();
    for (const row of rows) {
      const list = result.get(row.message_id) ?? [];
      if (!result.has(row.message_id)) result.set(row.message_id, list);
      let entry = list.find((r) => r.emoji === row.emoji) as { emoji: string; userIds: string[] } | undefined;
      if (!entry) list.push((entry = { emoji: row.emoji, userIds: [] }));
      entry.userIds.push(row.user_id);
    }
    return result;
  }
}
