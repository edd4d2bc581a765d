import { SignJWT } from 'jose';

/** The role bench users get: it may create and write conversations under the built-in policy. */
export const BENCH_ROLE = 'CONTROL_STAFF';

/**
 * A host-app token as the platform would mint it: HS256 with the shared JWT_SECRET, `sub`, role
 * claims and an expiry. A first token for an unknown user provisions that user.
 */
export async function mintHostToken(secret: string, userId: string, role = BENCH_ROLE, ttlSeconds = 4 * 3600): Promise<string> {
  return new SignJWT({ role, roles: [role], name: `Bench ${userId}` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
