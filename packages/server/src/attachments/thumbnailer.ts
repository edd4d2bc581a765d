import sharp from 'sharp';

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 320;
export const THUMBNAIL_CONTENT_TYPE = 'image/webp';

/** Decoding stops above this many pixels: a small file must not inflate into gigabytes. */
const MAX_INPUT_PIXELS = 50_000_000;

/**
 * A WebP at most {@link THUMBNAIL_SIZE} pixels on its longest side, turned upright by the EXIF
 * orientation and carrying no metadata (no location, no camera). Rejects when the image cannot
 * be decoded: bytes that start like an image but are not one.
 */
export async function makeThumbnail(image: Uint8Array): Promise<Buffer> {
  return sharp(image, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
    .rotate()
    .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 75 })
    .toBuffer();
}
