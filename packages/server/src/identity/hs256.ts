import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** Why a token was refused; callers turn it into their own error. */
export class Hs256Refused extends Error {
  override readonly name = 'Hs256Refused';
}

/**
 * A base64url segment. Padding is tolerated as jose tolerates it; a length no encoding produces
 * (one character past a multiple of four) is not, nor is whitespace (which jose's decoder would
 * skip in the signature: no signer writes it).
 */
const SEGMENT = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The shared secret as a key object, built once per secret. */
export function hs256Key(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/**
 * Verifies a compact HS256 JWT with Node's synchronous HMAC and returns its claims. The rules
 * are jose's `jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp'] })`:
 * three base64url segments, a JSON-object header whose `alg` is `HS256`, no critical extension
 * other than `b64: true`, a matching signature (compared in constant time), a JSON-object
 * claims set with a numeric `exp` in the future, a numeric `nbf` (if any) not in the future and
 * a numeric `iat` (if any). jose checks HMACs through WebCrypto: a key import and a thread-pool
 * round trip per token, ~10× the CPU of this for one signature, on every connection and request.
 */
export function verifyHs256(token: string, key: KeyObject, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) throw new Hs256Refused('not a compact JWS');
  const encodedHeader = token.slice(0, first);
  const encodedPayload = token.slice(first + 1, second);
  const encodedSignature = token.slice(second + 1);
  if (!SEGMENT.test(encodedHeader) || !SEGMENT.test(encodedPayload) || !SEGMENT.test(encodedSignature)) throw new Hs256Refused('not base64url');
  const header = jsonObject(encodedHeader);
  if (header.alg !== 'HS256') throw new Hs256Refused('alg');
  if (header.crit !== undefined) {
    // The only extension jose understands is `b64`; a JWT must not use an unencoded payload.
    const crit = header.crit;
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((c) => c !== 'b64') || header.b64 !== true) throw new Hs256Refused('crit');
  }
  const expected = createHmac('sha256', key).update(token.slice(0, second)).digest();
  const signature = Buffer.from(encodedSignature, 'base64url');
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw new Hs256Refused('signature');
  const claims = jsonObject(encodedPayload);
  if (!Object.hasOwn(claims, 'exp')) throw new Hs256Refused('exp missing');
  const { iat, nbf, exp } = claims;
  if (iat !== undefined && typeof iat !== 'number') throw new Hs256Refused('iat');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds)) throw new Hs256Refused('nbf');
  if (typeof exp !== 'number' || exp <= nowSeconds) throw new Hs256Refused('exp');
  return claims;
}

function jsonObject(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
  } catch {
    throw new Hs256Refused('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Hs256Refused('not a JSON object');
  return value as Record<string, unknown>;
}
