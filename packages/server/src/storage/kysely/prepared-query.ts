import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';

const MARKER = '\u0000arg:';

/**
 * Stands for the query's `index`-th argument while a prepared query is built. The value only
 * ever reaches SQL as a bound parameter, never as text.
 */
export function arg<T = string>(index: number): T {
  return `${MARKER}${index}` as T;
}

/**
 * A query built and compiled once and then run with new arguments. Building and compiling a
 * Kysely query costs ~10 µs, more than SQLite takes to run it from a cached statement; the
 * message path runs a handful per message. The SQL is still written once with the query builder,
 * so it stays dialect-neutral. Where the dialect can run a statement at once (SQLite, see
 * `DialectAdapter.runNow`), it skips Kysely's connection queue too.
 * @example
 * const byId = new PreparedQuery(adapter, (db) => db.selectFrom('messages').selectAll().where('id', '=', arg(0)));
 * const { rows } = await byId.execute(db, [id]);
 */
export class PreparedQuery<R> {
  private compiled: { readonly query: CompiledQuery<R>; readonly slots: readonly (number | undefined)[] } | undefined;

  constructor(
    private readonly adapter: DialectAdapter,
    private readonly build: (db: Kysely<Database>) => Compilable<R>,
  ) {}

  /**
   * Runs on `db` or on a transaction of it. One instance serves one dialect: it compiles on
   * first use, so repositories hold their own.
   */
  async execute(db: Kysely<Database>, args: readonly unknown[]): Promise<QueryResult<R>> {
    const { query, slots } = this.compile(db);
    const parameters = query.parameters.map((constant, i) => {
      const slot = slots[i];
      return slot === undefined ? constant : args[slot];
    });
    const bound = { ...query, parameters };
    return this.adapter.runNow?.(bound, db.isTransaction) ?? db.executeQuery<R>(bound);
  }

  private compile(db: Kysely<Database>) {
    if (!this.compiled) {
      const query = this.build(db).compile();
      const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARKER) ? Number(p.slice(MARKER.length)) : undefined));
      this.compiled = { query, slots };
      this.adapter.keepPrepared?.(query.sql);
    }
    return this.compiled;
  }
}
