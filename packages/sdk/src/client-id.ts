/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Time-ordered (handy when
 * reading logs and stores) and random enough that two devices never collide. Made when a send is created and kept until it is acknowledged: the
 * server returns the original message for a `client_id` it already holds, which is what makes a
 * resend after a lost reply safe.
 */
export function newClientId(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  // Never behind an id made earlier in this process, even if the clock steps back.
  last = Math.max(now, last);
  const ms = BigInt(last);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

let last = 0;
