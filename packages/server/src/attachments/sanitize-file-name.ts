/** Longest display name kept, in characters. */
export const MAX_FILE_NAME_LENGTH = 200;

/** Longest extension kept when a long name is cut. */
const MAX_EXTENSION_LENGTH = 16;

/**
 * Control characters, and the bidirectional overrides that make `exe.txt` read as `txt.exe`
 * (`\u202E`) or otherwise show a name other than the bytes say.
 */
const UNSAFE_CHARACTERS = /[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * Turns a client's file name into a display name: the last path segment only, no control or
 * direction-override characters, trimmed, at most {@link MAX_FILE_NAME_LENGTH} characters with
 * its extension kept. The name is metadata only: it never becomes a path or a storage key.
 * @example sanitizeFileName('../../etc/passwd.txt') // → 'passwd.txt'
 */
export function sanitizeFileName(raw: string | undefined, fallback = 'file'): string {
  const lastSegment = (raw ?? '').normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment.replace(UNSAFE_CHARACTERS, '').trim();
  if (cleaned === '' || /^\.+$/.test(cleaned)) return fallback;
  return truncateKeepingExtension(cleaned);
}

function truncateKeepingExtension(name: string): string {
  const characters = [...name];
  if (characters.length <= MAX_FILE_NAME_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  const keep = extension.length > 0 && extension.length <= MAX_EXTENSION_LENGTH ? extension : [];
  return characters.slice(0, MAX_FILE_NAME_LENGTH - keep.length).join('').trimEnd() + keep.join('');
}
