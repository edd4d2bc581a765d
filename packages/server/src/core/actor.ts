import type { User } from './model.js';

/** Who is calling: a signed-in user, or a host app's backend holding an API key. */
export type Actor = UserActor | ServiceActor;

export interface UserActor {
  readonly kind: 'user';
  readonly user: User;
  /** The token's id, issue and expiry times (epoch seconds), when it has them; logout revokes by these. */
  readonly token: {
    readonly jti: string | undefined;
    readonly iat?: number | undefined;
    readonly exp: number | undefined;
    /** Set when the credential is an opaque session (not a JWT): its id, which logout deletes. */
    readonly session?: string;
  };
}

export interface ServiceActor {
  readonly kind: 'service';
  /** A short, non-secret fingerprint of the key, for logs. */
  readonly keyId: string;
}
