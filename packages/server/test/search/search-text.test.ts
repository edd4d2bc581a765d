import { describe, expect, it } from 'vitest';
import { normaliseForSearch } from '../../src/search/search-text.js';
import { snippet } from '../../src/search/snippet.js';

describe('normaliseForSearch', () => {
  it('folds case, ё to е and Latin accents, and leaves Cyrillic letters with marks alone', () => {
    expect(normaliseForSearch('Алматыдан ЁЛКА Café')).toBe('алматыдан елка cafe');
    expect(normaliseForSearch('йод')).toBe('йод');
    expect(normaliseForSearch('ҚАЗАҚСТАН Өскемен')).toBe('қазақстан өскемен');
  });

  it('composes a letter typed as base plus combining mark before folding', () => {
    expect(normaliseForSearch('Cafe\u0301')).toBe('cafe');
    expect(normaliseForSearch('е\u0308лка')).toBe('елка');
  });

  it('turns Ethiopic punctuation into spaces and collapses runs of white space', () => {
    expect(normaliseForSearch('ሰላም፡ነው።  እንዴት፣\tአለህ፧')).toBe('ሰላም ነው እንዴት አለህ');
    expect(normaliseForSearch('  a\u200bb\u00adc  ')).toBe('abc');
  });

  it('folds the Amharic letters that spell one sound onto one row', () => {
    expect(normaliseForSearch('ሠላም')).toBe(normaliseForSearch('ሰላም'));
    expect(normaliseForSearch('ፀሐይ')).toBe('ጸሀይ');
    expect(normaliseForSearch('ዓለም')).toBe('አለም');
    expect(normaliseForSearch('ኃይል')).toBe('ሀይል');
    // Letters that are not homophones stay apart.
    expect(normaliseForSearch('ሰ')).not.toBe(normaliseForSearch('ሸ'));
  });
});

describe('snippet', () => {
  it('marks the match in the original text, as typed', () => {
    expect(snippet('Автобус выехал из Алматыдан в 9:00', normaliseForSearch('алматы'))).toBe('Автобус выехал из <mark>Алматы</mark>дан в 9:00');
    expect(snippet('ከአዲስ አበባ ተነስቷል', 'አዲስ')).toBe('ከ<mark>አዲስ</mark> አበባ ተነስቷል');
    expect(snippet('ЁЛКА и ёлка', normaliseForSearch('елка'))).toBe('<mark>ЁЛКА</mark> и <mark>ёлка</mark>');
  });

  it('escapes the text, so the marks are its only markup', () => {
    expect(snippet('<b>bus</b> & <i>tram</i>', 'bus')).toBe('&lt;b&gt;<mark>bus</mark>&lt;/b&gt; &amp; &lt;i&gt;tram&lt;/i&gt;');
  });

  it('cuts long text around the first match with ellipses', () => {
    const long = `${'a'.repeat(100)} needle ${'b'.repeat(100)}`;
    expect(snippet(long, 'needle')).toBe(`…${'a'.repeat(39)} <mark>needle</mark> ${'b'.repeat(39)}…`);
  });

  it('keeps characters outside the basic plane whole', () => {
    expect(snippet('🚌🚌 bus 🚌', 'bus')).toBe('🚌🚌 <mark>bus</mark> 🚌');
  });
});
