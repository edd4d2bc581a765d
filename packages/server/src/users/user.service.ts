import type { Actor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Json, User } from '../core/model.js';
import { passwordHasher } from '../identity/password-hasher.js';
import type { Policy } from '../policy/policy.js';
import type { Store } from '../storage/store.js';
import type { AuthService } from '../identity/auth.service.js';

export interface UpsertUserInput {
  readonly email?: string | null;
  readonly password?: string;
  readonly displayName?: string;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly roles?: readonly string[];
  readonly profile?: Json;
  readonly disabled?: boolean;
}

/** Users as the host app describes them, plus self-service profile edits. */
export class UserService {
  constructor(
    private readonly store: Store,
    private readonly policy: Policy,
    private readonly auth: AuthService,
  ) {}

  /** Creates or updates a user by the host app's id. Needs an API key or `users.manage`. */
  async upsert(actor: Actor, id: string, input: UpsertUserInput): Promise<{ user: User; created: boolean }> {
    this.requireManager(actor);
    const existing = await this.store.users.byId(id);
    if (!existing && (input.roles === undefined || input.roles.length === 0)) {
      throw new AppError('validation_failed', 'A new user needs at least one role', [{ path: '/roles', message: 'required for a new user' }]);
    }
    const passwordHash = input.password === undefined ? undefined : await passwordHasher.hash(input.password);
    const disabling = input.disabled === true && existing?.disabled !== true;
    const user = await this.store.users.upsert({
      id,
      ...(input.email !== undefined && { email: input.email }),
      ...(passwordHash !== undefined && { passwordHash }),
      ...(input.displayName !== undefined ? { displayName: input.displayName } : !existing && { displayName: defaultName(id, input) }),
      ...(input.firstName !== undefined && { firstName: input.firstName }),
      ...(input.lastName !== undefined && { lastName: input.lastName }),
      // The host's newest statement of the roles: host tokens issued before now cannot undo it.
      ...(input.roles !== undefined && { roles: input.roles, rolesUpdatedAt: Math.floor(Date.now() / 1000) }),
      ...(input.profile !== undefined && { profile: input.profile }),
      ...(input.disabled !== undefined && { disabled: input.disabled }),
      // A password change or a disable ends every session the user had.
      ...((passwordHash !== undefined && existing) || disabling ? { tokensValidAfter: Math.floor(Date.now() / 1000) + 1 } : {}),
    });
    if (user.tokensValidAfter !== existing?.tokensValidAfter && existing) await this.auth.sessionsEnded(id, { validAfter: user.tokensValidAfter });
    if (existing) await this.auth.userChanged(user);
    return { user, created: !existing };
  }

  /**
   * `upsert` for imports, which are run again and again: a user the input would not change is
   * left alone (no write, no event) and reported `unchanged`. A password counts as a change only
   * when it is not already the user's.
   */
  async importUser(actor: Actor, id: string, input: UpsertUserInput): Promise<{ user: User; outcome: 'created' | 'updated' | 'unchanged' }> {
    this.requireManager(actor);
    const existing = await this.store.users.byId(id);
    if (existing && (await this.wouldKeep(existing, input))) return { user: existing, outcome: 'unchanged' };
    const { user, created } = await this.upsert(actor, id, input);
    return { user, outcome: created ? 'created' : 'updated' };
  }

  private async wouldKeep(user: User, input: UpsertUserInput): Promise<boolean> {
    const same = (given: unknown, stored: unknown) => given === undefined || JSON.stringify(given) === JSON.stringify(stored);
    const fieldsKept = same(input.email === undefined ? undefined : input.email?.toLowerCase() ?? null, user.email)
      && same(input.displayName, user.displayName)
      && same(input.firstName, user.firstName)
      && same(input.lastName, user.lastName)
      && same(input.roles, user.roles)
      && same(input.profile, user.profile)
      && same(input.disabled, user.disabled);
    if (!fieldsKept || input.password === undefined) return fieldsKept;
    const stored = await this.store.users.passwordHash(user.id);
    return stored !== undefined && (await passwordHasher.verify(stored, input.password));
  }

  async get(actor: Actor, id: string): Promise<User> {
    const user = await this.store.users.byId(id);
    if (!user) throw new AppError('user_not_found');
    return user;
  }

  /** Whether the actor may see private fields (email, disabled) of this user. */
  maySeePrivate(actor: Actor, user: User): boolean {
    return actor.kind === 'service' || actor.user.id === user.id || this.policy.can({ kind: 'user', roles: actor.user.roles }, 'users.manage');
  }

  async updateSelf(actor: Actor, patch: { displayName?: string; firstName?: string | null; lastName?: string | null; profile?: Json }): Promise<User> {
    if (actor.kind !== 'user') throw new AppError('forbidden', 'This needs a user token');
    const user = await this.store.users.upsert({ id: actor.user.id, ...patch });
    await this.auth.userChanged(user);
    return user;
  }

  /** Ends every session of the user now. */
  async revokeTokens(actor: Actor, id: string): Promise<void> {
    this.requireManager(actor);
    if (!(await this.store.users.byId(id))) throw new AppError('user_not_found');
    await this.auth.logoutEverywhere(id);
  }

  private requireManager(actor: Actor): void {
    if (actor.kind === 'service') return;
    if (!this.policy.can({ kind: 'user', roles: actor.user.roles }, 'users.manage')) throw new AppError('forbidden', 'Managing users needs an API key or the users.manage ability');
  }
}

function defaultName(id: string, input: UpsertUserInput): string {
  return [input.firstName, input.lastName].filter(Boolean).join(' ') || input.email || id;
}
