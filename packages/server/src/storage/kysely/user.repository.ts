import { sql, type Selectable, type Updateable } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { User } from '../../core/model.js';
import type { UsersTable } from '../database.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { NewUser, UserPatch, UserRepository } from '../store.js';
import { COLUMNS } from './columns.js';
import { arg, PreparedQuery } from './prepared-query.js';
import { now, toUser } from './rows.js';

export class KyselyUserRepository implements UserRepository {
  /** Read on every authenticated request and connection; compiled once (see PreparedQuery). */
  private readonly selectById: PreparedQuery<Selectable<UsersTable>>;

  constructor(private readonly adapter: DialectAdapter) {
    this.selectById = new PreparedQuery(adapter, (db) => db.selectFrom('users').select(COLUMNS.users).where('id', '=', arg(0)));
  }

  private get db() {
    return this.adapter.db;
  }

  async byId(id: string): Promise<User | undefined> {
    const row = (await this.selectById.execute(this.db, [id])).rows[0];
    return row && toUser(row);
  }

  async byIds(ids: readonly string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', [...ids]).execute();
    return rows.map(toUser);
  }

  async byEmail(email: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
    return row && toUser(row);
  }

  async passwordHash(id: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst();
    return row?.password_hash ?? undefined;
  }

  async upsert(user: NewUser | (UserPatch & { readonly id: string })): Promise<User> {
    const timestamp = now();
    const patch = toColumns(user);
    try {
      // One statement, not select-then-insert: two racing upserts of a new id would otherwise both
      // insert, and the loser's primary-key violation would read as `email_taken`.
      await this.db
        .insertInto('users')
        .values({
          id: user.id,
          email: patch.email ?? null,
          password_hash: patch.password_hash ?? null,
          display_name: patch.display_name ?? user.id,
          first_name: patch.first_name ?? null,
          last_name: patch.last_name ?? null,
          roles: patch.roles ?? '[]',
          profile: patch.profile ?? '{}',
          disabled: patch.disabled ?? 0,
          tokens_valid_after: patch.tokens_valid_after ?? 0,
          roles_updated_at: patch.roles_updated_at ?? 0,
          created_at: timestamp,
          updated_at: timestamp,
        })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...patch, updated_at: timestamp }))
        .execute();
    } catch (error) {
      // The id conflict is absorbed above, so a unique violation here can only be the email.
      if (this.adapter.isUniqueViolation(error)) throw new AppError('email_taken');
      throw error;
    }
    const saved = await this.byId(user.id);
    if (!saved) throw new AppError('internal', 'user vanished after upsert');
    return saved;
  }

  async withRoles(roles: readonly string[]): Promise<User[]> {
    // Roles are a JSON array in a text column; a LIKE pre-filter keeps this portable and the exact
    // check happens after decoding. Role holders are few (staff), so this stays cheap.
    if (roles.length === 0) return [];
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('disabled', '=', 0)
      .where((eb) => eb.or(roles.map((role) => containsLiterally('roles', JSON.stringify(role)))))
      .execute();
    return rows.map(toUser).filter((u) => u.roles.some((r) => roles.includes(r)));
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

const LIKE_ESCAPE = '!';

/**
 * `column LIKE '%text%'` with the text's own `%`, `_` and escape characters matched literally.
 * The escape character is explicit because the dialects disagree on the default: PostgreSQL
 * treats a backslash as one, SQLite has none, and JSON-encoded text is full of backslashes.
 */
function containsLiterally(column: 'roles', text: string) {
  const escaped = text.replace(/[!%_]/g, (char) => `${LIKE_ESCAPE}${char}`);
  return sql<boolean>`${sql.ref(column)} like ${`%${escaped}%`} escape ${sql.lit(LIKE_ESCAPE)}`;
}

function toColumns(user: UserPatch): Updateable<UsersTable> {
  const columns: Updateable<UsersTable> = {};
  if (user.email !== undefined) columns.email = user.email === null ? null : user.email.toLowerCase();
  if (user.passwordHash !== undefined) columns.password_hash = user.passwordHash;
  if (user.displayName !== undefined) columns.display_name = user.displayName;
  if (user.firstName !== undefined) columns.first_name = user.firstName;
  if (user.lastName !== undefined) columns.last_name = user.lastName;
  if (user.roles !== undefined) columns.roles = JSON.stringify(user.roles);
  if (user.profile !== undefined) columns.profile = JSON.stringify(user.profile);
  if (user.disabled !== undefined) columns.disabled = user.disabled ? 1 : 0;
  if (user.tokensValidAfter !== undefined) columns.tokens_valid_after = user.tokensValidAfter;
  if (user.rolesUpdatedAt !== undefined) columns.roles_updated_at = user.rolesUpdatedAt;
  return columns;
}
