import { describe, expect, it } from 'vitest';
import { detectFileType, isInlineType } from '../../src/attachments/file-types.js';
import { buildCompoundFile, buildImage, buildPdf, html, svg } from './sample-files.js';

describe('detectFileType', () => {
  it('tells .doc from .xls inside the shared compound file by the extension only', async () => {
    const cfb = buildCompoundFile();
    expect(await detectFileType(cfb, 'a.DOC', true)).toEqual({ contentType: 'application/msword', text: false });
    expect(await detectFileType(cfb, 'a.xls', true)).toEqual({ contentType: 'application/vnd.ms-excel', text: false });
    expect(await detectFileType(cfb, 'a.msi', true)).toBeUndefined();
  });

  it('ignores the name when the bytes have a type', async () => {
    expect(await detectFileType(buildPdf(), 'photo.png', true)).toMatchObject({ contentType: 'application/pdf' });
    expect(await detectFileType(await buildImage('gif', 5, 5), 'notes.txt', true)).toMatchObject({ contentType: 'image/gif' });
  });

  it('takes plain text only from a .txt that is UTF-8 without NUL and does not start like markup', async () => {
    expect(await detectFileType(Buffer.from('plain'), 'a.txt', true)).toEqual({ contentType: 'text/plain', text: true });
    expect(await detectFileType(Buffer.from('plain'), 'a.md', true)).toBeUndefined();
    expect(await detectFileType(Buffer.from('a\0b'), 'a.txt', true)).toBeUndefined();
    expect(await detectFileType(html(), 'a.txt', true)).toBeUndefined();
    expect(await detectFileType(svg(), 'a.txt', true)).toBeUndefined();
    expect(await detectFileType(Buffer.from('<?xml version="1.0"?><a/>'), 'a.txt', true)).toBeUndefined();
    expect(await detectFileType(Buffer.from('<3 you, 5 < 7'), 'a.txt', true)).toMatchObject({ contentType: 'text/plain' });
  });

  it('accepts a head cut inside a character, but not a whole file that ends inside one', async () => {
    const cut = Buffer.from('caf\xC3', 'latin1');
    expect(await detectFileType(cut, 'a.txt', false)).toMatchObject({ contentType: 'text/plain' });
    expect(await detectFileType(cut, 'a.txt', true)).toBeUndefined();
  });

  it('lets only raster images be shown in place', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/gif', 'image/webp']) expect(isInlineType(type)).toBe(true);
    for (const type of ['image/svg+xml', 'text/html', 'text/plain', 'application/pdf']) expect(isInlineType(type)).toBe(false);
  });
});
