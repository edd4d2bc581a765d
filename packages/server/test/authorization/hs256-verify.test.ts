import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { hs256Key, verifyHs256 } from '../../src/identity/hs256.js';

/**
 * HS256 tokens are checked with Node's synchronous HMAC instead of jose's WebCrypto path. It must
 * accept exactly what `jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp'] })`
 * accepts, with the same claims: every case below is judged by both.
 */

const SECRET = 's'.repeat(40);
const KEY = hs256Key(SECRET);
const JOSE_KEY = new TextEncoder().encode(SECRET);
const now = Math.floor(Date.now() / 1000);

const b64 = (text: string) => Buffer.from(text).toString('base64url');
/** A token of raw header and payload text, signed with `secret` over exactly those segments. */
function raw(header: string, payload: string, secret = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const json = (header: object, claims: object, secret?: string) => raw(JSON.stringify(header), JSON.stringify(claims), secret);
const HS = { alg: 'HS256', typ: 'JWT' };
const valid = { sub: 'u1', iat: now - 10, exp: now + 600 };

async function jose(token: string): Promise<Record<string, unknown> | 'refused'> {
  try {
    return (await jwtVerify(token, JOSE_KEY, { algorithms: ['HS256'], requiredClaims: ['exp'] })).payload as Record<string, unknown>;
  } catch {
    return 'refused';
  }
}
function ours(token: string): Record<string, unknown> | 'refused' {
  try {
    return verifyHs256(token, KEY);
  } catch {
    return 'refused';
  }
}

const signed = json(HS, valid);
const cases: [string, string][] = [
  ['a valid token', signed],
  ['a valid token from SignJWT', ''],
  ['without typ', json({ alg: 'HS256' }, valid)],
  ['with nbf in the past', json(HS, { ...valid, nbf: now - 5 })],
  ['with crit b64 true', json({ alg: 'HS256', crit: ['b64'], b64: true }, valid)],
  ['without iat', json(HS, { sub: 'u1', exp: now + 60 })],
  ['with a padded signature', `${signed}=`],
  ['with unicode claims', json(HS, { ...valid, name: 'Zoë 👋' })],
  ['with __proto__ in the claims', raw(JSON.stringify(HS), `{"__proto__":{"admin":true},"sub":"u1","exp":${now + 60}}`)],
  ['signed with another secret', json(HS, valid, 'o'.repeat(40))],
  ['with a changed payload', `${signed.split('.')[0]}.${b64(JSON.stringify({ ...valid, sub: 'admin' }))}.${signed.split('.')[2]}`],
  ['with a truncated signature', signed.slice(0, -2)],
  ['with an empty signature', `${signed.split('.').slice(0, 2).join('.')}.`],
  ['with a signature one character too long', `${signed}A`],
  ['with a payload one character too long', (() => {
    const input = `${b64(JSON.stringify(HS))}.${b64(JSON.stringify(valid))}A`;
    return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
  })()],
  ['with a fourth segment', `${signed}.x`],
  ['with two segments', signed.split('.').slice(0, 2).join('.')],
  ['with whitespace', ` ${signed}`],
  // Six '?' always hold an aligned run of three, which base64url writes with a '_'.
  ['with standard base64 characters', json(HS, { ...valid, x: '??????' }).replace(/-/g, '+').replace(/_/g, '/')],
  ['with alg none', `${b64(JSON.stringify({ alg: 'none' }))}.${b64(JSON.stringify(valid))}.`],
  ['with alg HS384', json({ alg: 'HS384' }, valid)],
  ['with alg hs256', json({ alg: 'hs256' }, valid)],
  ['without alg', json({ typ: 'JWT' }, valid)],
  ['with an unknown crit', json({ alg: 'HS256', crit: ['exp'], exp: 1 }, valid)],
  ['with crit b64 false', raw(JSON.stringify({ alg: 'HS256', crit: ['b64'], b64: false }), JSON.stringify(valid))],
  ['with crit b64 missing', json({ alg: 'HS256', crit: ['b64'] }, valid)],
  ['with an empty crit', json({ alg: 'HS256', crit: [] }, valid)],
  ['with crit not an array', json({ alg: 'HS256', crit: 'b64', b64: true }, valid)],
  ['with a header that is an array', raw('["HS256"]', JSON.stringify(valid))],
  ['with a header that is not JSON', raw('{alg:HS256}', JSON.stringify(valid))],
  ['with a header that is not UTF-8', `${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${b64(JSON.stringify(valid))}.x`],
  ['with claims that are an array', raw(JSON.stringify(HS), '[1]')],
  ['with claims that are a string', raw(JSON.stringify(HS), '"x"')],
  ['with claims that are null', raw(JSON.stringify(HS), 'null')],
  ['with claims that are not JSON', raw(JSON.stringify(HS), '{sub:1}')],
  ['with claims that are not UTF-8', (() => {
    const input = `${b64(JSON.stringify(HS))}.${Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]).toString('base64url')}`;
    return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
  })()],
  ['without exp', json(HS, { sub: 'u1', iat: now })],
  ['with exp null', json(HS, { sub: 'u1', exp: null })],
  ['with exp as a string', json(HS, { sub: 'u1', exp: String(now + 60) })],
  ['expired', json(HS, { sub: 'u1', exp: now - 1 })],
  ['expiring now', json(HS, { sub: 'u1', exp: now - 0 })],
  ['with nbf in the future', json(HS, { ...valid, nbf: now + 60 })],
  ['with nbf as a string', json(HS, { ...valid, nbf: String(now) })],
  ['with iat as a string', json(HS, { ...valid, iat: String(now) })],
  ['with iat null', json(HS, { ...valid, iat: null })],
];

describe('HS256 verification without WebCrypto', () => {
  it.each(cases)('judges a token %s as jose does', async (_name, given) => {
    const token = given || (await new SignJWT({ role: 'r', roles: ['r'] }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('u2').setIssuedAt().setExpirationTime(now + 60).sign(JOSE_KEY));
    const expected = await jose(token);
    expect(ours(token)).toEqual(expected);
  });

  it('accepts the valid cases and refuses the others', async () => {
    const verdicts = await Promise.all(cases.slice(0, 9).map(([, t]) => (t ? jose(t) : Promise.resolve({}))));
    expect(verdicts.every((v) => v !== 'refused')).toBe(true);
    const refused = await Promise.all(cases.slice(9).map(async ([name, t]) => [name, await jose(t)] as const));
    expect(refused.filter(([, v]) => v !== 'refused').map(([name]) => name)).toEqual([]);
  });
});
