import { foldForSearch } from './search-text.js';

/** Characters of context kept on each side of the first match. */
const CONTEXT = 40;
const MARK_OPEN = '<mark>';
const MARK_CLOSE = '</mark>';

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * An excerpt of `content` around the first place it contains `query` (already normalised), every
 * occurrence inside the excerpt wrapped in `<mark>…</mark>`. The message text is HTML-escaped
 * (`&`, `<`, `>`), so the marks are the only markup and a client may render the snippet as HTML;
 * a text client strips the two tags and unescapes the three entities. The match is found in the
 * folded text and marked in the original, so "Алматыдан" shows as typed with "Алматы" marked.
 * `…` stands where the excerpt cuts the text.
 */
export function snippet(content: string, query: string): string {
  const folded = foldForSearch(content);
  const { source, origins } = folded;
  const spans: [number, number][] = [];
  if (query !== '') {
    for (let at = folded.text.indexOf(query); at !== -1; at = folded.text.indexOf(query, at + query.length)) {
      const last = origins[at + query.length - 1]!;
      spans.push([origins[at]!, last + String.fromCodePoint(source.codePointAt(last)!).length]);
    }
  }
  const centre = spans[0] ?? [0, 0];
  const start = cutPoint(source, Math.max(0, centre[0] - CONTEXT));
  const end = cutPoint(source, Math.min(source.length, centre[1] + CONTEXT));
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const [from, to] of spans) {
    if (from < at || to > end) continue;
    out += escapeHtml(source.slice(at, from)) + MARK_OPEN + escapeHtml(source.slice(from, to)) + MARK_CLOSE;
    at = to;
  }
  out += escapeHtml(source.slice(at, end));
  return end < source.length ? `${out}…` : out;
}

/** Never cut a surrogate pair in half. */
function cutPoint(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return index > 0 && index < text.length && code >= 0xdc00 && code <= 0xdfff ? index - 1 : index;
}
