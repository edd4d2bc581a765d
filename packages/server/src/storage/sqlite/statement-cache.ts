import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept prepared; `IN (?, ?, …)` lists of other lengths make more texts. */
const DEFAULT_CAPACITY = 500;

/**
 * The subset of better-sqlite3 Kysely uses, with each distinct SQL text prepared once. Kysely's
 * SQLite driver prepares on every query, which costs about a sixth of the server's time on the
 * send path. Statements are only ever run to completion (`all`/`run`), never left iterating,
 * so one prepared statement can serve every query with its text.
 */
export function withStatementCache(database: SqliteDatabase, capacity = DEFAULT_CAPACITY): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached) {
        // Most recently used last, so the first key is the one to evict.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > capacity) cache.delete(cache.keys().next().value!);
      return statement;
    },
  };
}
