import { createHash, randomBytes } from 'node:crypto';

/** What every opaque session token starts with, so it is told from a JWT without parsing. */
const PREFIX = 'sbs_';

/**
 * A new opaque session token: 32 random bytes (256 bits), base64url. Its sha256 is all the store
 * keeps; with that much entropy a fast hash is enough (no guessing or dictionary to slow down).
 */
export function newSessionToken(): string {
  return `${PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Whether a bearer credential is an opaque session token rather than a JWT. */
export function isSessionToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** The hash a session is stored and found under (hex sha256). */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
