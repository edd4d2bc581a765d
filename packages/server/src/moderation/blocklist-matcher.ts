import type { BlocklistAction, BlocklistTerm } from '../storage/store.js';

/**
 * Characters that hide inside a word without showing (soft hyphen, zero-width space/joiners,
 * word joiner, BOM): part of the word when cutting, dropped when comparing, so "b\u200Bad" is "bad".
 */
const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/gu;
/** A word: letters, digits and combining marks (Ge'ez, Cyrillic and Latin alike), invisibles included. */
const WORD = /[\p{L}\p{N}\p{M}\u00AD\u200B-\u200D\u2060\uFEFF]+/gu;
const MARKS = /\p{M}/gu;

/**
 * The one normalisation blocklist terms and messages are compared in: compatibility forms folded
 * (full-width and styled letters are letters, NFKC), case folded, accents and other combining marks
 * removed, ё read as е, invisible characters dropped. Ethiopic syllables are single code points
 * and keep their form.
 */
export function normaliseWord(word: string): string {
  return word.replace(INVISIBLE, '').normalize('NFKC').toLowerCase().normalize('NFD').replace(MARKS, '').replace(/ё/gu, 'е').normalize('NFC');
}

/** A term as the words it is made of; empty when it has no letter or digit. */
export function termWords(term: string): string[] {
  return [...term.matchAll(WORD)].map((m) => normaliseWord(m[0])).filter((w) => w !== '');
}

/** The normalised spelling a term is stored under (its words joined by one space). */
export function normaliseTerm(term: string): string {
  return termWords(term).join(' ');
}

export interface BlocklistVerdict {
  /** The strongest action any matched term asks for: block over mask over flag. */
  readonly action: BlocklistAction | undefined;
  /** The content with masked terms' characters replaced by `*`. */
  readonly content: string;
  /** The stored terms that matched, for the report a flag files. */
  readonly matched: readonly string[];
}

const STRENGTH: Record<BlocklistAction, number> = { flag: 1, mask: 2, block: 3 };

/**
 * Matches whole words (and runs of words for multi-word terms) after normalisation, so a term
 * never fires inside a longer word ("ass" stays out of "class"). Built once per blocklist.
 */
export class BlocklistMatcher {
  /** Terms by their first word, each as its words and action. */
  private readonly byFirstWord = new Map<string, { words: string[]; term: string; action: BlocklistAction }[]>();

  constructor(terms: readonly BlocklistTerm[]) {
    for (const { term, action } of terms) {
      const words = term.split(' ').filter((w) => w !== '');
      const first = words[0];
      if (first === undefined) continue;
      const list = this.byFirstWord.get(first) ?? [];
      list.push({ words, term, action });
      this.byFirstWord.set(first, list);
    }
  }

  get empty(): boolean {
    return this.byFirstWord.size === 0;
  }

  check(content: string): BlocklistVerdict {
    if (this.empty) return { action: undefined, content, matched: [] };
    const words = [...content.matchAll(WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length, norm: normaliseWord(m[0]) }));
    let action: BlocklistAction | undefined;
    const matched = new Set<string>();
    const masked: { start: number; end: number }[] = [];
    words.forEach((word, i) => {
      for (const candidate of this.byFirstWord.get(word.norm) ?? []) {
        const span = words.slice(i, i + candidate.words.length);
        if (span.length !== candidate.words.length || !span.every((w, k) => w.norm === candidate.words[k])) continue;
        matched.add(candidate.term);
        if (action === undefined || STRENGTH[candidate.action] > STRENGTH[action]) action = candidate.action;
        if (candidate.action === 'mask') masked.push({ start: span[0]!.start, end: span[span.length - 1]!.end });
      }
    });
    return { action, content: masked.length === 0 ? content : mask(content, masked), matched: [...matched] };
  }
}

/** Replaces each spanned character (a code point; spaces between masked words stay) with `*`. */
function mask(content: string, spans: readonly { start: number; end: number }[]): string {
  let out = '';
  let at = 0;
  for (const { start, end } of [...spans].sort((a, b) => a.start - b.start)) {
    if (start < at) continue;
    out += content.slice(at, start) + [...content.slice(start, end)].map((ch) => (/\s/u.test(ch) ? ch : '*')).join('');
    at = end;
  }
  return out + content.slice(at);
}
