import { fileTypeFromBuffer } from 'file-type';
import { Utf8TextCheck } from './utf8-text-check.js';

/** What the server decided a file is, from its bytes. */
export interface AcceptedType {
  /** The type recorded and served back, e.g. `image/png`. */
  readonly contentType: string;
  /** Plain text, whose every later byte must still be valid UTF-8 without NUL. */
  readonly text: boolean;
}

/** Bytes read before deciding: enough for every magic number and an OOXML zip's first entries. */
export const DETECTION_HEAD_BYTES = 64 * 1024;

/** Raster images: shown in place and thumbnailed. None of them can carry script. */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  'image/jpeg': 'image/jpeg',
  'image/png': 'image/png',
  // An animated PNG is a PNG to every browser.
  'image/apng': 'image/png',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
};

const DOCUMENT_TYPES: ReadonlySet<string> = new Set([
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
]);

/** Old Office files share one container (CFB); only the extension tells a .doc from a .xls. */
const CFB_BY_EXTENSION: Readonly<Record<string, string>> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
};

/** Every type an upload can end up as; the allow-list, for documentation. */
export const ACCEPTED_CONTENT_TYPES: readonly string[] = [...new Set([...Object.values(IMAGE_TYPES), ...DOCUMENT_TYPES, ...Object.values(CFB_BY_EXTENSION), 'text/plain'])];

/**
 * Text that a browser would sniff as markup (the WHATWG sniffing patterns, plus SVG and XML).
 * Such a file is refused even as `.txt`: HTML and SVG are never accepted in any disguise.
 */
const MARKUP_START = /^(?:\uFEFF)?\s*(?:<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|svg|math)(?=[\s>/])|<!--|<\?xml)/i;

/**
 * Decides the type of a file from its first bytes (`head`, at most {@link DETECTION_HEAD_BYTES};
 * `complete` when that is the whole file). The name matters only where bytes cannot decide: a
 * `.doc` from a `.xls` inside the shared container, and plain text, which has no magic number
 * and is taken only from a `.txt`. Resolves `undefined` for anything not on the allow-list.
 * @example await detectFileType(head, 'photo.png', false) // → { contentType: 'image/png', text: false }
 */
export async function detectFileType(head: Uint8Array, fileName: string, complete: boolean): Promise<AcceptedType | undefined> {
  // A parser failure on hostile bytes means "not recognised", never a server error.
  const detected = await fileTypeFromBuffer(head).catch(() => undefined);
  const extension = extensionOf(fileName);
  if (detected === undefined) return isPlainText(head, extension, complete) ? { contentType: 'text/plain', text: true } : undefined;
  const image = IMAGE_TYPES[detected.mime];
  if (image !== undefined) return { contentType: image, text: false };
  if (DOCUMENT_TYPES.has(detected.mime)) return { contentType: detected.mime, text: false };
  const legacyOffice = detected.mime === 'application/x-cfb' ? CFB_BY_EXTENSION[extension] : undefined;
  return legacyOffice === undefined ? undefined : { contentType: legacyOffice, text: false };
}

/** Whether browsers may show the type in place: raster images only, never documents or text. */
export function isInlineType(contentType: string): boolean {
  return Object.hasOwn(IMAGE_TYPES, contentType) && contentType !== 'image/apng';
}

/** Whether a thumbnail is made for the type. */
export function isImageType(contentType: string): boolean {
  return isInlineType(contentType);
}

function isPlainText(head: Uint8Array, extension: string, complete: boolean): boolean {
  if (extension !== 'txt') return false;
  const check = new Utf8TextCheck();
  // A head cut mid-character is fine; the rest is checked as it streams.
  if (!check.push(head) || (complete && !check.end())) return false;
  return !MARKUP_START.test(new TextDecoder().decode(head.subarray(0, 1024)));
}

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot <= 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}
