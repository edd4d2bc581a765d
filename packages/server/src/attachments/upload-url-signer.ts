import { createHmac, timingSafeEqual } from 'node:crypto';

/** Which bytes of an upload: the file itself, or its thumbnail. */
export type UploadVariant = 'original' | 'thumbnail';

/** The path an upload (or its thumbnail) is downloaded from. */
export function uploadPath(id: string, variant: UploadVariant): string {
  const base = `/v1/uploads/${encodeURIComponent(id)}`;
  return variant === 'thumbnail' ? `${base}/thumbnail` : base;
}

export interface SignedUrl {
  /** Relative URL with `expires` (epoch seconds) and `signature` in its query. */
  readonly url: string;
  readonly expiresAt: Date;
}

const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const EXPIRES_PATTERN = /^\d{1,12}$/;

/**
 * Short-lived download links that need no token: HMAC-SHA256 over the upload id, the variant
 * and the expiry. The key is derived from the JWT secret under its own label, so a link
 * signature can never pass for a token signature or the other way round.
 */
export class UploadUrlSigner {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHmac('sha256', secret).update('switchboard/upload-url/v1').digest();
  }

  /** A link valid for `ttlSeconds` from now. */
  sign(id: string, variant: UploadVariant, ttlSeconds: number): SignedUrl {
    const expires = Math.floor(this.now() / 1000) + Math.max(1, Math.floor(ttlSeconds));
    const query = new URLSearchParams({ expires: String(expires), signature: this.signature(id, variant, String(expires)) });
    return { url: `${uploadPath(id, variant)}?${query}`, expiresAt: new Date(expires * 1000) };
  }

  /** True when the link's signature matches and it has not expired. */
  verify(id: string, variant: UploadVariant, expires: string, signature: string): boolean {
    if (!EXPIRES_PATTERN.test(expires) || !SIGNATURE_PATTERN.test(signature)) return false;
    if (Number(expires) * 1000 <= this.now()) return false;
    const expected = Buffer.from(this.signature(id, variant, expires));
    return timingSafeEqual(expected, Buffer.from(signature));
  }

  private signature(id: string, variant: UploadVariant, expires: string): string {
    return createHmac('sha256', this.key).update(`${id}\n${variant}\n${expires}`).digest('base64url');
  }
}
