/**
 * The one normalisation of message text for search, used when a message is indexed and when a
 * query is read, so both sides always fold alike. The fold works code point by code point and
 * remembers where each folded character came from, so a match found in folded text can be marked
 * in the original (see `snippet.ts`).
 *
 * What it folds, and why:
 * - NFC first, so a letter typed as base + combining mark matches its precomposed form.
 * - Lower case (locale-free `toLowerCase`): Cyrillic, Latin, Greek; Ge'ez has no case.
 * - `ё` → `е`: Russian and Kazakh writers mostly type `е` for both.
 * - Latin letters lose their accents (`café` → `cafe`), as SQLite's `remove_diacritics` does, so
 *   both dialects answer alike. Cyrillic marks are letters in their own right (`й` is not `и`) and stay.
 * - Ethiopic punctuation (፡ ። ፣ ፤ ፥ ፦ ፧ ፨ ፠) becomes a space: `፡` is the traditional word
 *   separator, and a sentence mark must not glue two words into one.
 * - Amharic homophones: the letters that spell one sound are folded to one row (ሐ/ኀ → ሀ, ሠ → ሰ,
 *   ዐ → አ, ፀ → ጸ, each whole row of seven orders), and the fourth order of ሀ and አ to the
 *   first (ሃ → ሀ, ኣ → አ). Modern Amharic spelling varies between them freely ("ሰላም" / "ሠላም").
 * - Runs of white space become one space; zero-width characters and soft hyphens vanish.
 */

/** Where the folded text came from: `origins[i]` is the UTF-16 index in the NFC text of the code point that produced folded unit `i`. */
export interface FoldedText {
  readonly text: string;
  readonly source: string;
  readonly origins: readonly number[];
}

const ETHIOPIC_PUNCTUATION = /[\u1360-\u1368]/;
const INVISIBLE = /[\u00ad\u200b-\u200d\u2060\ufeff]/;
const SPACE = /\s/u;
const LATIN_WITH_MARKS = /^([a-z])[\u0300-\u036f]+$/;

/** Ethiopic rows folded onto another row: [first code point of the row, offset to add]. */
const HOMOPHONE_ROWS: readonly (readonly [number, number])[] = [
  [0x1210, 0x1200 - 0x1210], // ሐ → ሀ
  [0x1280, 0x1200 - 0x1280], // ኀ → ሀ
  [0x1220, 0x1230 - 0x1220], // ሠ → ሰ
  [0x12d0, 0x12a0 - 0x12d0], // ዐ → አ
  [0x1340, 0x1338 - 0x1340], // ፀ → ጸ
];
/** The rows whose fourth order (-a) sounds as their first (-ä) in Amharic. */
const FOURTH_ORDER_ROWS = [0x1200, 0x12a0];

function foldEthiopic(cp: number): number {
  let folded = cp;
  for (const [start, offset] of HOMOPHONE_ROWS) {
    if (cp >= start && cp < start + 7) folded = cp + offset;
  }
  for (const row of FOURTH_ORDER_ROWS) if (folded === row + 3) folded = row;
  return folded;
}

/** What one code point of NFC text becomes: a string (maybe empty), or `' '` for a separator. */
function foldCodePoint(char: string): string {
  if (INVISIBLE.test(char)) return '';
  if (SPACE.test(char) || ETHIOPIC_PUNCTUATION.test(char)) return ' ';
  const cp = char.codePointAt(0)!;
  if (cp >= 0x1200 && cp <= 0x137f) return String.fromCodePoint(foldEthiopic(cp));
  const lower = char.toLowerCase();
  if (lower === 'ё') return 'е';
  const latin = LATIN_WITH_MARKS.exec(lower.normalize('NFD'));
  return latin ? latin[1]! : lower;
}

/** What each non-ASCII character folds to, learnt as met: chat text uses few distinct characters. */
const folds = new Map<string, string>();
const MAX_REMEMBERED = 20_000;

function foldChar(char: string, code: number): string {
  if (code < 0x80) {
    if (code >= 0x41 && code <= 0x5a) return String.fromCharCode(code + 32);
    return code === 0x20 || (code >= 0x09 && code <= 0x0d) ? ' ' : char;
  }
  let folded = folds.get(char);
  if (folded === undefined) {
    folded = foldCodePoint(char);
    if (folds.size < MAX_REMEMBERED) folds.set(char, folded);
  }
  return folded;
}

function fold(input: string, withOrigins: boolean): FoldedText {
  const source = input.normalize('NFC');
  let text = '';
  const origins: number[] = [];
  let lastWasSpace = true; // no space at the start
  for (let index = 0; index < source.length; ) {
    const code = source.codePointAt(index)!;
    const width = code > 0xffff ? 2 : 1;
    const folded = foldChar(width === 1 ? source[index]! : source.slice(index, index + 2), code);
    // One space for a run of separators.
    if (folded === ' ') {
      if (!lastWasSpace) {
        text += ' ';
        if (withOrigins) origins.push(index);
        lastWasSpace = true;
      }
    } else if (folded !== '') {
      text += folded;
      if (withOrigins) for (let i = 0; i < folded.length; i++) origins.push(index);
      lastWasSpace = false;
    }
    index += width;
  }
  if (text.endsWith(' ')) {
    text = text.slice(0, -1);
    origins.pop();
  }
  return { text, source, origins };
}

/** Folds `input` and keeps the origin of every folded UTF-16 unit. Leading and trailing space is dropped. */
export function foldForSearch(input: string): FoldedText {
  return fold(input, true);
}

/** The folded text alone: what the index stores and what a query is matched as. On every append, so it is kept quick. */
export function normaliseForSearch(input: string): string {
  return fold(input, false).text;
}

/** Length in code points, as a person counts characters (a Ge'ez syllable is one). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
