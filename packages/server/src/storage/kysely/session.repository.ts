import type { Selectable } from 'kysely';
import type { SessionsTable } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { Session, SessionRepository } from '../store.js';

const toSession = (row: Selectable<SessionsTable>): Session => ({
  id: row.id,
  userId: row.user_id,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
});

export class KyselySessionRepository implements SessionRepository {
  constructor(private readonly adapter: DialectAdapter) {}

  async create(session: Session & { readonly tokenHash: string }): Promise<Session> {
    await this.adapter.db
      .insertInto('sessions')
      .values({ id: session.id, token_hash: session.tokenHash, user_id: session.userId, created_at: session.createdAt, expires_at: session.expiresAt })
      .execute();
    return { id: session.id, userId: session.userId, createdAt: session.createdAt, expiresAt: session.expiresAt };
  }

  async byTokenHash(tokenHash: string): Promise<Session | undefined> {
    const row = await this.adapter.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row && toSession(row);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.adapter.db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteForUser(userId: string): Promise<number> {
    const result = await this.adapter.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async purgeExpired(nowSeconds: number): Promise<number> {
    const result = await this.adapter.db.deleteFrom('sessions').where('expires_at', '<', nowSeconds).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
