import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../../src/attachments/content-disposition.js';
import { MAX_FILE_NAME_LENGTH, sanitizeFileName } from '../../src/attachments/sanitize-file-name.js';

describe('sanitizeFileName', () => {
  it('keeps only the last path segment', () => {
    expect(sanitizeFileName('../../etc/passwd.txt')).toBe('passwd.txt');
    expect(sanitizeFileName('C:\\Windows\\win.ini')).toBe('win.ini');
  });

  it('drops control and direction-override characters', () => {
    expect(sanitizeFileName('evil\u202Etxt.exe')).toBe('eviltxt.exe');
    expect(sanitizeFileName('a\r\nb\u0000.pdf')).toBe('ab.pdf');
  });

  it('falls back to "file" for nothing usable', () => {
    for (const raw of [undefined, '', '   ', '..', '.', 'dir/', '\u0007']) expect(sanitizeFileName(raw)).toBe('file');
  });

  it('cuts long names to the limit, keeping the extension', () => {
    const name = sanitizeFileName(`${'x'.repeat(500)}.pdf`);
    expect([...name]).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(name.endsWith('x.pdf')).toBe(true);
    expect([...sanitizeFileName('é'.repeat(300))]).toHaveLength(MAX_FILE_NAME_LENGTH);
  });
});

describe('contentDisposition', () => {
  it('escapes every name so it cannot end the header or add a parameter', () => {
    expect(contentDisposition('a"; filename=evil.html', false)).toBe(`attachment; filename="a__ filename=evil.html"; filename*=UTF-8''a%22%3B%20filename%3Devil.html`);
    expect(contentDisposition("it's (1).png", true)).toBe(`inline; filename="it's (1).png"; filename*=UTF-8''it%27s%20%281%29.png`);
  });
});
