import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../core/config.js';
import { AppError } from '../core/errors.js';
import type { User } from '../core/model.js';
import { hs256Key, verifyHs256 } from './hs256.js';

/** The issuer written into tokens this server mints, to tell them from host-app tokens. */
export const OWN_ISSUER = 'switchboard';

export interface VerifiedToken {
  readonly claims: JWTPayload & Record<string, unknown>;
  /** True when this server minted the token (rather than a host app). */
  readonly own: boolean;
  /** When the token stops being accepted (epoch seconds): its `exp`, or sooner when the maximum age ends first. */
  readonly expiresAt: number;
}

/** How far ahead of our clock a host's `iat` may be: clocks of two machines never agree exactly. */
const CLOCK_SKEW_SECONDS = 60;

/**
 * Mints HS256 tokens and verifies tokens from this server or a host app: HS256 with the shared
 * secret, or RS/ES/EdDSA against the host app's JWKS. `alg: none` and unknown algorithms fail.
 * Every token needs `exp`; a host app's is also refused past `jwtMaxAgeSeconds` after its `iat`
 * (without `iat`: when its `exp` is further away than that), so no host token lives forever.
 */
export class TokenService {
  private readonly secret: Uint8Array;
  /** The same secret for checking HS256 signatures synchronously (see `verifyHs256`). */
  private readonly hmacKey: KeyObject;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly config: Pick<Config, 'jwtSecret' | 'jwksUrl' | 'jwtIssuer' | 'jwtAudience' | 'tokenTtlSeconds' | 'jwtMaxAgeSeconds'>) {
    this.secret = new TextEncoder().encode(config.jwtSecret);
    this.hmacKey = hs256Key(config.jwtSecret);
    this.jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  }

  get ttlSeconds(): number {
    return this.config.tokenTtlSeconds;
  }

  /** A token for the user, valid for `tokenTtlSeconds`, carrying the claims every seed's clients read. */
  async mint(user: User, extraClaims: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT({
      role: user.roles[0] ?? null,
      roles: user.roles,
      email: user.email,
      name: user.displayName,
      userId: user.id,
      firstName: user.firstName,
      lastName: user.lastName,
      ...extraClaims,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(OWN_ISSUER)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${this.config.tokenTtlSeconds}s`)
      .sign(this.secret);
  }

  async verify(token: string): Promise<VerifiedToken> {
    try {
      const { alg } = decodeProtectedHeader(token);
      if (alg === 'HS256') {
        const payload = verifyHs256(token, this.hmacKey) as JWTPayload;
        const own = payload.iss === OWN_ISSUER;
        if (own) return { claims: payload as VerifiedToken['claims'], own, expiresAt: payload.exp! };
        this.checkHostClaims(payload);
        return { claims: payload as VerifiedToken['claims'], own, expiresAt: this.hostExpiry(payload) };
      }
      if (this.jwks === undefined) throw new AppError('invalid_token');
      const { payload } = await jwtVerify(token, this.jwks, {
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
        ...(this.config.jwtIssuer !== undefined && { issuer: this.config.jwtIssuer }),
        ...(this.config.jwtAudience !== undefined && { audience: this.config.jwtAudience }),
        requiredClaims: ['exp'],
      });
      return { claims: payload as VerifiedToken['claims'], own: false, expiresAt: this.hostExpiry(payload) };
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('invalid_token');
    }
  }

  /**
   * A host app's token is accepted until `exp` or until `jwtMaxAgeSeconds` after `iat`,
   * whichever comes first. Without `iat` its age is unknown, so its `exp` may be at most that
   * far away. An `iat` in the future (beyond clock skew) is refused: it would outrank role changes.
   */
  private hostExpiry(payload: JWTPayload): number {
    const now = Math.floor(Date.now() / 1000);
    const maxAge = this.config.jwtMaxAgeSeconds;
    const { exp, iat } = payload as { exp: number; iat?: number };
    if (iat === undefined) {
      if (exp - now > maxAge) throw new AppError('invalid_token', `Host tokens without iat may expire at most ${maxAge} s ahead`);
      return exp;
    }
    if (iat > now + CLOCK_SKEW_SECONDS) throw new AppError('invalid_token', 'The token was issued in the future');
    if (now - iat > maxAge) throw new AppError('invalid_token', `The token is older than ${maxAge} s`);
    return Math.min(exp, iat + maxAge);
  }

  /** Host-app tokens signed with the shared secret still honour the configured iss/aud. */
  private checkHostClaims(payload: JWTPayload): void {
    const { jwtIssuer, jwtAudience } = this.config;
    if (jwtIssuer !== undefined && payload.iss !== jwtIssuer) throw new AppError('invalid_token');
    if (jwtAudience !== undefined) {
      const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!audiences.includes(jwtAudience)) throw new AppError('invalid_token');
    }
  }
}
