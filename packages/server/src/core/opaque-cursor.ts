/**
 * Page cursors handed to clients. The position inside is the store's business, so it is wrapped
 * (a tag naming the listing and its format, then base64url) for clients to pass back untouched;
 * a cursor of another listing or format, or one a client made up, is refused, not misread.
 */
export const encodeCursor = (tag: string, position: string): string => Buffer.from(`${tag}:${position}`).toString('base64url');

/** The position inside a cursor `encodeCursor(tag, …)` made, or `undefined` for any other string. */
export function decodeCursor(tag: string, cursor: string): string | undefined {
  const decoded = Buffer.from(cursor, 'base64url').toString();
  return decoded.startsWith(`${tag}:`) && decoded.length > tag.length + 1 ? decoded.slice(tag.length + 1) : undefined;
}
