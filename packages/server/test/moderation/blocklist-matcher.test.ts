import { describe, expect, it } from 'vitest';
import { BlocklistMatcher, normaliseTerm, normaliseWord } from '../../src/moderation/blocklist-matcher.js';
import type { BlocklistAction } from '../../src/storage/store.js';

const matcher = (terms: Record<string, BlocklistAction>) => new BlocklistMatcher(Object.entries(terms).map(([term, action]) => ({ term: normaliseTerm(term), action })));

describe('the blocklist matcher', () => {
  it('folds case, accents, compatibility forms and invisible characters before comparing', () => {
    expect(normaliseWord('ＳＰＡＭ')).toBe('spam');
    expect(normaliseWord('Spåm')).toBe('spam');
    expect(normaliseWord('s\u200Bp\u00ADam')).toBe('spam');
    // Russian and Kazakh: ё is read as е, and case folds.
    expect(normaliseWord('ЁЛКА')).toBe('елка');
    const m = matcher({ spam: 'block', ёлка: 'block' });
    for (const text of ['buy SPAM now', 'buy ＳＰＡＭ now', 'buy s\u200Bpam now', 'buy spåm now', 'Елка на продажу']) expect(m.check(text).action, text).toBe('block');
  });

  it('matches whole words only, so a term never fires inside a longer word', () => {
    const m = matcher({ ass: 'block' });
    expect(m.check('first class passenger').action).toBeUndefined();
    expect(m.check('what an ass.').action).toBe('block');
  });

  it('matches Ethiopic words as written', () => {
    const m = matcher({ ሌባ: 'block' });
    expect(m.check('እሱ ሌባ ነው።').action).toBe('block');
    expect(m.check('ሌባው').action).toBeUndefined();
  });

  it('matches multi-word terms as a run of words, whatever the spacing', () => {
    const m = matcher({ 'free money': 'flag' });
    expect(m.check('get FREE   money today').action).toBe('flag');
    expect(m.check('free and money').action).toBeUndefined();
  });

  it('masks the original characters of masked terms and keeps the rest of the text', () => {
    const m = matcher({ darn: 'mask', 'bad word': 'mask' });
    const verdict = m.check('Darn it, that is a bad  word!');
    expect(verdict.action).toBe('mask');
    expect(verdict.content).toBe('**** it, that is a ***  ****!');
  });

  it('takes the strongest action when several terms match', () => {
    const m = matcher({ darn: 'mask', spam: 'block', promo: 'flag' });
    expect(m.check('darn promo').action).toBe('mask');
    expect(m.check('darn spam promo').action).toBe('block');
    expect(m.check('promo').matched).toEqual(['promo']);
  });

  it('stores a term as its normalised words and refuses one without letters or digits', () => {
    expect(normaliseTerm('  Free   MONEY ')).toBe('free money');
    expect(normaliseTerm('!!!')).toBe('');
  });
});
