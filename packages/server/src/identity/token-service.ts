import { randomUUID } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../core/config.js';
import { AppError } from '../core/errors.js';
import type { User } from '../core/model.js';

/** The issuer written into tokens this server mints, to tell them from host-app tokens. */
export const OWN_ISSUER = 'switchboard';

export interface VerifiedToken {
  readonly claims: JWTPayload & Record<string, unknown>;
  /** True when this server minted the token (rather than a host app). */
  readonly own: boolean;
}

/**
 * Mints HS256 tokens and verifies tokens from this server or a host app: HS256 with the shared
 * secret, or RS/ES/EdDSA against the host app's JWKS. `alg: none` and unknown algorithms fail.
 */
export class TokenService {
  private readonly secret: Uint8Array;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly config: Pick<Config, 'jwtSecret' | 'jwksUrl' | 'jwtIssuer' | 'jwtAudience' | 'tokenTtlSeconds'>) {
    this.secret = new TextEncoder().encode(config.jwtSecret);
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
        const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'] });
        const own = payload.iss === OWN_ISSUER;
        if (!own) this.checkHostClaims(payload);
        return { claims: payload as VerifiedToken['claims'], own };
      }
      if (this.jwks === undefined) throw new AppError('invalid_token');
      const { payload } = await jwtVerify(token, this.jwks, {
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
        ...(this.config.jwtIssuer !== undefined && { issuer: this.config.jwtIssuer }),
        ...(this.config.jwtAudience !== undefined && { audience: this.config.jwtAudience }),
      });
      return { claims: payload as VerifiedToken['claims'], own: false };
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('invalid_token');
    }
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
