import { createHash } from 'node:crypto';

/**
 * The EICAR anti-virus test file: harmless, 68 bytes of printable ASCII, and detected by every
 * scanner as if it were a virus. Plain text, so the upload path accepts it as a `.txt`.
 */
export const EICAR = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'latin1');

/** A clamd `.hdb` line that detects exactly these bytes: `<md5>:<size>:<name>`. */
export function hashSignature(bytes: Uint8Array, name: string): string {
  return `${createHash('md5').update(bytes).digest('hex')}:${bytes.length}:${name}`;
}
