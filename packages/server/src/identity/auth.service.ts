import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ServiceActor, UserActor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { User } from '../core/model.js';
import type { Store } from '../storage/store.js';
import type { AfterCommitPublisher } from '../messages/after-commit-publisher.js';
import { topics } from '../bus/domain-event.js';
import { decoyHash, passwordHasher } from './password-hasher.js';
import type { TokenService, VerifiedToken } from './token-service.js';
import type { LoginThrottle } from '../limits/login-throttle.js';
import { hashSessionToken, isSessionToken, newSessionToken } from './session-token.js';
import { CredentialCache } from './credential-cache.js';

/** Where a login comes from, for throttling guesses. */
export interface LoginClient {
  /** The client's address as the server sees it (`request.ip`). */
  readonly address: string;
}

export interface LoginResult {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly user: User;
}

export interface SessionResult {
  /** The opaque token; shown once, stored only as its hash. */
  readonly token: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly user: User;
}

/** How long opaque sessions live, in seconds. */
export interface SessionLifetimes {
  readonly sessionTtlSeconds: number;
  readonly sessionRememberTtlSeconds: number;
}

/** Sign-in, sign-out and turning a credential into an actor. */
export class AuthService {
  private readonly apiKeys: readonly Buffer[];

  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
    apiKeys: readonly string[],
    /** Sessions are revoked in the store first; announcing it may not fail the call. */
    private readonly bus: AfterCommitPublisher,
    /** Guessing passwords is throttled on every login endpoint, since they all come here. */
    private readonly throttle: LoginThrottle,
    private readonly lifetimes: SessionLifetimes = { sessionTtlSeconds: 86_400, sessionRememberTtlSeconds: 2_592_000 },
    /** Recently checked credentials; told here when a user's sessions end or the user changes. */
    private readonly credentials: CredentialCache = new CredentialCache({ maxAgeMs: 0 }),
  ) {
    this.apiKeys = apiKeys.map(digest);
  }

  /**
   * Exchanges email and password for a token. Refused with `rate_limited` (before the password
   * is checked) while the account is blocked from this address or the address is (`LoginThrottle`).
   */
  async login(email: string, password: string, client: LoginClient, extraClaims?: Record<string, unknown>): Promise<LoginResult> {
    const user = await this.checkCredentials(email, password, client);
    return { accessToken: await this.tokens.mint(user, extraClaims), expiresIn: this.tokens.ttlSeconds, user };
  }

  /**
   * Exchanges email and password for an opaque session token (for protocols whose clients hold
   * sessions, not JWTs). The session lives `sessionTtlSeconds`, or `sessionRememberTtlSeconds`
   * with `remember`; every use is checked against the store, so logout and disabling end it at once.
   */
  async startSession(email: string, password: string, client: LoginClient, options: { remember?: boolean } = {}): Promise<SessionResult> {
    const user = await this.checkCredentials(email, password, client);
    const token = newSessionToken();
    const createdAt = Math.floor(Date.now() / 1000);
    const expiresAt = createdAt + (options.remember ? this.lifetimes.sessionRememberTtlSeconds : this.lifetimes.sessionTtlSeconds);
    await this.store.sessions.create({ id: randomUUID(), userId: user.id, tokenHash: hashSessionToken(token), createdAt, expiresAt });
    return { token, expiresAt, user };
  }

  /** The throttled password check every login shares; returns the enabled user. */
  private async checkCredentials(email: string, password: string, client: LoginClient): Promise<User> {
    const attempt = { account: email, address: client.address };
    await this.throttle.check(attempt);
    const user = await this.store.users.byEmail(email);
    const hashed = user && (await this.store.users.passwordHash(user.id));
    const matches = await passwordHasher.verify(hashed ?? (await decoyHash()), password);
    if (!user || !hashed || !matches) {
      await this.throttle.failed(attempt);
      throw new AppError('invalid_credentials');
    }
    await this.throttle.succeeded(attempt);
    if (user.disabled) throw new AppError('user_disabled');
    return user;
  }

  /** Revokes the token the actor used; other sessions stay signed in. */
  async logout(actor: UserActor): Promise<void> {
    const { jti, exp, session } = actor.token;
    if (session !== undefined) {
      await this.store.sessions.delete(session);
      await this.sessionsEnded(actor.user.id, { jti: sessionJti(session) });
      return;
    }
    if (jti === undefined) throw new AppError('bad_request', 'This token has no id and cannot be revoked; disable the user instead');
    await this.store.revocations.revoke(jti, exp ?? Math.floor(Date.now() / 1000) + this.tokens.ttlSeconds);
    await this.sessionsEnded(actor.user.id, { jti });
  }

  /**
   * Tells every node to close the real-time connections of the ended sessions and to forget the
   * user's checked credentials (this node at once).
   */
  async sessionsEnded(userId: string, which: { jti?: string; validAfter?: number }): Promise<void> {
    this.credentials.forget(userId);
    const event = { type: 'sessions.revoked' as const, userId, ...which };
    await this.bus.publish(topics.user(userId), event);
    await this.bus.publish(topics.credentials, event);
  }

  /**
   * Tells every node the user changed, so open connections take the new roles at once instead
   * of keeping the ones they connected with, and no node admits on what it checked before.
   */
  async userChanged(user: User): Promise<void> {
    this.credentials.forget(user.id);
    const event = { type: 'user.updated' as const, user };
    await this.bus.publish(topics.user(user.id), event);
    await this.bus.publish(topics.credentials, event);
  }

  /** Revokes every token the user holds now. */
  async logoutEverywhere(userId: string): Promise<void> {
    const validAfter = Math.floor(Date.now() / 1000) + 1;
    await this.store.users.upsert({ id: userId, tokensValidAfter: validAfter });
    // The stamp already refuses them; deleting them keeps the table to live sessions.
    await this.store.sessions.deleteForUser(userId);
    await this.sessionsEnded(userId, { validAfter });
  }

  /**
   * Verifies a bearer token and loads its user, checking revocation and the disabled flag. A
   * valid host-app token for a user not seen before provisions that user. The result is kept a
   * short while (`CredentialCache`): a token checked seconds ago is not checked again, unless
   * the user's sessions ended or the user changed since, which every node hears of.
   */
  async authenticate(token: string): Promise<UserActor> {
    const cache = this.credentials;
    if (!cache.enabled) return this.check(token);
    const key = CredentialCache.keyOf(token);
    const known = cache.get(key);
    if (known !== undefined) return known;
    const ticket = cache.ticket();
    const actor = await this.check(token);
    if (actor.token.exp !== undefined) cache.put(key, actor, actor.token.exp * 1000, ticket);
    return actor;
  }

  /** `authenticate` against the store, every time. */
  private async check(token: string): Promise<UserActor> {
    if (isSessionToken(token)) return this.authenticateSession(token);
    const verified = await this.tokens.verify(token);
    const { claims } = verified;
    const jti = typeof claims.jti === 'string' ? claims.jti : undefined;
    if (jti !== undefined && (await this.store.revocations.isRevoked(jti))) throw new AppError('invalid_token');
    const user = await this.resolveUser(verified);
    if (user.disabled) throw new AppError('user_disabled');
    if (typeof claims.iat === 'number' && claims.iat < user.tokensValidAfter) throw new AppError('invalid_token');
    // A host token's life is capped by the maximum age too, so open connections end with it.
    return { kind: 'user', user, token: { jti, iat: claims.iat, exp: verified.expiresAt } };
  }

  /**
   * An opaque session: found by its hash, refused once expired, deleted, older than the user's
   * `tokensValidAfter` (logout everywhere) or when the user is disabled. Its id doubles as the
   * token id (`session:<id>`), so ending it closes its connections like a revoked JWT's.
   */
  private async authenticateSession(token: string): Promise<UserActor> {
    const session = await this.store.sessions.byTokenHash(hashSessionToken(token));
    if (!session || session.expiresAt <= Math.floor(Date.now() / 1000)) throw new AppError('invalid_token', 'Invalid or expired session');
    const user = await this.store.users.byId(session.userId);
    if (!user) throw new AppError('invalid_token', 'Invalid or expired session');
    if (user.disabled) throw new AppError('user_disabled');
    if (session.createdAt < user.tokensValidAfter) throw new AppError('invalid_token', 'Invalid or expired session');
    return { kind: 'user', user, token: { jti: sessionJti(session.id), iat: session.createdAt, exp: session.expiresAt, session: session.id } };
  }

  /** Matches an API key in constant time. */
  authenticateApiKey(key: string): ServiceActor {
    const candidate = digest(key);
    const match = this.apiKeys.some((known) => timingSafeEqual(known, candidate));
    if (!match) throw new AppError('invalid_token', 'Unknown API key');
    return { kind: 'service', keyId: candidate.toString('hex').slice(0, 8) };
  }

  private async resolveUser({ claims, own }: VerifiedToken): Promise<User> {
    const id = stringClaim(claims, 'sub', 'userId', 'user_id');
    if (id === undefined) throw new AppError('invalid_token');
    const existing = await this.store.users.byId(id);
    if (own) {
      if (!existing) throw new AppError('invalid_token');
      return existing;
    }
    const roles = rolesOf(claims);
    const issuedAt = typeof claims.iat === 'number' ? claims.iat : undefined;
    if (existing && (roles.length === 0 || sameRoles(existing.roles, roles) || !statesNewerRoles(issuedAt, existing))) return existing;
    if (!existing && roles.length === 0) throw new AppError('invalid_token', 'Token has no role for an unknown user');
    const firstName = stringClaim(claims, 'first_name', 'firstName', 'given_name') ?? null;
    const lastName = stringClaim(claims, 'last_name', 'lastName', 'family_name') ?? null;
    const name = stringClaim(claims, 'name') ?? ([firstName, lastName].filter(Boolean).join(' ') || id);
    // The token's roles are now the newest statement of them: older tokens cannot undo them.
    const rolesUpdatedAt = issuedAt ?? existing?.rolesUpdatedAt ?? 0;
    const user = await this.store.users.upsert(
      existing
        ? { id, roles, rolesUpdatedAt }
        : { id, roles, rolesUpdatedAt, displayName: name, firstName, lastName, email: stringClaim(claims, 'email') ?? null, passwordHash: null },
    );
    // The host app's token carries new roles: connections opened with the old ones follow.
    if (existing) await this.userChanged(user);
    return user;
  }
}

/** The token id a session's connections carry, so `sessions.revoked` names it like a JWT's `jti`. */
const sessionJti = (id: string) => `session:${id}`;

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

function stringClaim(claims: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = claims[name];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

function rolesOf(claims: Record<string, unknown>): string[] {
  if (Array.isArray(claims.roles)) return claims.roles.filter((r): r is string => typeof r === 'string');
  return typeof claims.role === 'string' ? [claims.role] : [];
}

/**
 * Whether a host token's roles are newer than the ones the user has: roles set through the API
 * (`PUT /v1/users/{id}`) or by a later token win over a token issued before (or in the same
 * second as) that change, so an old token cannot give back a role the host took away. A token
 * without `iat` cannot be placed in time: it sets roles only where none were ever stated.
 */
function statesNewerRoles(issuedAt: number | undefined, user: User): boolean {
  return issuedAt === undefined ? user.rolesUpdatedAt === 0 : issuedAt > user.rolesUpdatedAt;
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}
