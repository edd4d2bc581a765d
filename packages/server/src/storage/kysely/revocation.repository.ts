import type { DialectAdapter } from '../dialect-adapter.js';
import type { RevocationRepository } from '../store.js';

export class KyselyRevocationRepository implements RevocationRepository {
  constructor(private readonly adapter: DialectAdapter) {}

  async revoke(jti: string, expiresAt: number): Promise<void> {
    await this.adapter.db
      .insertInto('revoked_tokens')
      .values({ jti, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  async isRevoked(jti: string): Promise<boolean> {
    const row = await this.adapter.db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst();
    return row !== undefined;
  }

  async purgeExpired(nowSeconds: number): Promise<number> {
    const result = await this.adapter.db.deleteFrom('revoked_tokens').where('expires_at', '<', nowSeconds).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
