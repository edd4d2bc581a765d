import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { buildCompoundFile, buildImage, buildPdf, buildZip, elf, exe, html, svg } from './sample-files.js';
import { attachmentRows, filesOnDisk, upload, type UploadFile } from './upload-client.js';


async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs a refused upload and checks it left no file on disk and no row behind. */
async function expectRefused(server: TestServer, token: string, files: readonly UploadFile[], status: number, code: string) {
  const rowsBefore = await attachmentRows(server);
  const filesBefore = filesOnDisk(server);
  const res = await upload(server, token, files);
  expect(res.body.error?.code, JSON.stringify(res.body)).toBe(code);
  expect(res.status).toBe(status);
  expect(await attachmentRows(server)).toBe(rowsBefore);
  expect(filesOnDisk(server)).toEqual(filesBefore);
  return res.body.error;
}

describe('POST /v1/uploads refusing bad uploads, leaving nothing behind', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer({ UPLOAD_MAX_FILE_BYTES: '200000', UPLOAD_MAX_FILES: '3' });
    token = (await server.user(['customer'])).token;
  });
  afterAll(() => server.close());

  it('refuses a file over UPLOAD_MAX_FILE_BYTES with file_too_large (413)', async () => {
    const error = await expectRefused(server, token, [{ name: 'big.pdf', bytes: Buffer.concat([buildPdf(), Buffer.alloc(200_001)]) }], 413, 'file_too_large');
    expect(error.message).toContain('big.pdf');
  });

  it('accepts a file of exactly UPLOAD_MAX_FILE_BYTES', async () => {
    const pdf = buildPdf();
    const res = await upload(server, token, [{ name: 'exact.pdf', bytes: Buffer.concat([pdf, Buffer.alloc(200_000 - pdf.length, 0x20)]) }]);
    expect(res.status).toBe(201);
    expect(res.body.uploads[0].size).toBe(200_000);
  });

  it('refuses a far larger body early, answering before reading it all', async () => {
    await expectRefused(server, token, [{ name: 'huge.pdf', bytes: Buffer.concat([buildPdf(), Buffer.alloc(20_000_000)]) }], 413, 'file_too_large');
  });

  it('removes the files already stored when a later file of the same request is too large', async () => {
    await expectRefused(
      server,
      token,
      [
        { name: 'fine.png', bytes: await buildImage('png', 50, 50) },
        { name: 'big.pdf', bytes: Buffer.concat([buildPdf(), Buffer.alloc(300_000)]) },
      ],
      413,
      'file_too_large',
    );
  });

  it('refuses more than UPLOAD_MAX_FILES files with too_many_files (413), keeping none of them', async () => {
    const png = await buildImage('png', 30, 30);
    const files = [1, 2, 3, 4].map((i) => ({ name: `p${i}.png`, bytes: png }));
    await expectRefused(server, token, files, 413, 'too_many_files');
  });

  const disguised: [string, string, () => Buffer][] = [
    ['an HTML page named .png', 'pretty.png', html],
    ['an SVG named .jpg', 'photo.jpg', svg],
    ['an ELF executable named .pdf', 'report.pdf', elf],
    ['a Windows executable named .pdf', 'report.pdf', exe],
    ['an HTML page named .txt', 'notes.txt', html],
    ['an SVG named .txt', 'notes.txt', svg],
    ['an HTML page with leading blank lines named .txt', 'notes.txt', () => Buffer.from(`\n\n  <html><script>alert(1)</script></html>`)],
    ['text named .html', 'page.html', () => Buffer.from('just words')],
    ['text named .svg', 'image.svg', () => Buffer.from('just words')],
    ['text with a NUL byte', 'notes.txt', () => Buffer.from('abc\0def')],
    ['text that is not valid UTF-8', 'notes.txt', () => Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x21])],
    ['text whose invalid byte comes after the first 64 KiB', 'notes.txt', () => Buffer.concat([Buffer.alloc(100_000, 0x61), Buffer.from([0xc3])])],
    ['a compound file not named .doc or .xls', 'setup.msi', buildCompoundFile],
    ['a plain zip archive', 'archive.docx', () => buildZip([{ name: 'payload.exe', data: 'MZ' }])],
    ['bytes with no known type', 'data.bin', () => Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])],
  ];
  for (const [what, name, build] of disguised) {
    it(`refuses ${what} with unsupported_file_type (415)`, async () => {
      await expectRefused(server, token, [{ name, bytes: build(), type: 'image/png' }], 415, 'unsupported_file_type');
    });
  }

  it('refuses an image whose header is right but whose data is not, also removing the stored original', async () => {
    const png = await buildImage('png', 40, 40);
    await expectRefused(server, token, [{ name: 'broken.png', bytes: png.subarray(0, 60) }], 415, 'unsupported_file_type');
  });

  it('refuses an empty file with empty_file (422)', async () => {
    await expectRefused(server, token, [{ name: 'empty.pdf', bytes: new Uint8Array(0) }], 422, 'empty_file');
  });

  it('refuses the whole request when one of its files is refused, keeping none', async () => {
    await expectRefused(
      server,
      token,
      [
        { name: 'ok.pdf', bytes: buildPdf() },
        { name: 'ok.png', bytes: await buildImage('png', 20, 20) },
        { name: 'evil.png', bytes: html() },
      ],
      415,
      'unsupported_file_type',
    );
  });

  it('refuses a form without files with validation_failed (422)', async () => {
    const form = new FormData();
    form.append('caption', 'no file here');
    const response = await fetch(`${server.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(response.status).toBe(422);
    expect((await response.json()).error).toMatchObject({ code: 'validation_failed', details: [{ path: '/attachments' }] });
  });

  const notMultipart: [string, string, string][] = [
    ['JSON', 'application/json', '{"file":"x"}'],
    ['plain text', 'text/plain', 'hello'],
    ['raw bytes', 'application/octet-stream', 'hello'],
  ];
  for (const [what, contentType, body] of notMultipart) {
    it(`refuses a ${what} body with unsupported_media_type (415)`, async () => {
      const res = await server.request('POST', '/v1/uploads', { token, body, headers: { 'content-type': contentType } });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    });
  }

  it('refuses a truncated multipart body with bad_request (400), not a server error', async () => {
    const body = '--XyZ\r\nContent-Disposition: form-data; name="attachments"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 and then nothing';
    const rowsBefore = await attachmentRows(server);
    const res = await server.request('POST', '/v1/uploads', { token, body, headers: { 'content-type': 'multipart/form-data; boundary=XyZ' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(await attachmentRows(server)).toBe(rowsBefore);
  });

  it('stores a file named with path tricks under a generated key, keeping only a clean display name', async () => {
    const res = await upload(server, token, [{ name: '../../etc/passwd.txt', bytes: Buffer.from('root:x:0:0') }]);
    expect(res.status).toBe(201);
    expect(res.body.uploads[0].name).toBe('passwd.txt');
    const stored = await server.services.store.attachments.byId(res.body.uploads[0].id);
    expect(stored?.storageKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(filesOnDisk(server).some((f) => f.includes('passwd'))).toBe(false);
  });

  it('strips control and direction-override characters and Windows paths from names', async () => {
    const res = await upload(server, token, [{ name: 'C:\\Users\\me\\in\u202Efdp.exe\u0007.txt', bytes: Buffer.from('x') }]);
    expect(res.status).toBe(201);
    expect(res.body.uploads[0].name).toBe('infdp.exe.txt');
  });

  it('needs a token, and a user rather than an API key', async () => {
    const anonymous = await server.request('POST', '/v1/uploads', { body: 'x', headers: { 'content-type': 'multipart/form-data; boundary=a' } });
    expect(anonymous.status).toBe(401);
    const form = new FormData();
    form.append('attachments', new Blob([new Uint8Array(buildPdf())]), 'a.pdf');
    const service = await fetch(`${server.url}/v1/uploads`, { method: 'POST', headers: { 'x-api-key': TEST_API_KEY }, body: form });
    expect(service.status).toBe(403);
  });

  it('removes the partial file when the client goes away mid-upload', async () => {
    const rowsBefore = await attachmentRows(server);
    const filesBefore = filesOnDisk(server);
    const head = '--XyZ\r\nContent-Disposition: form-data; name="attachments"; filename="a.pdf"\r\n\r\n';
    const client = request(`${server.url}/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=XyZ', 'content-length': '150000' },
    });
    client.on('error', () => {});
    client.write(head);
    client.write(Buffer.concat([buildPdf(), Buffer.alloc(100_000, 0x20)]));
    // Wait until the server is writing the file, then hang up.
    await until(() => filesOnDisk(server).length > filesBefore.length);
    client.destroy();
    await until(() => filesOnDisk(server).length === filesBefore.length);
    expect(filesOnDisk(server)).toEqual(filesBefore);
    expect(await attachmentRows(server)).toBe(rowsBefore);
  });

  it('has left no temporary files behind after all of the above', () => {
    expect(filesOnDisk(server).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
