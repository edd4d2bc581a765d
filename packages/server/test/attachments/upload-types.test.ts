import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { buildCompoundFile, buildDocx, buildImage, buildPdf, buildXlsx, type ImageFormat } from './sample-files.js';
import { attachmentRows, download, filesOnDisk, upload } from './upload-client.js';


describe('POST /v1/uploads with accepted files', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    token = (await server.user(['customer'])).token;
  });
  afterAll(() => server.close());

  const images: [ImageFormat, string][] = [
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['gif', 'image/gif'],
    ['webp', 'image/webp'],
  ];
  for (const [format, contentType] of images) {
    it(`stores a ${format} image as ${contentType} and makes a WebP thumbnail of at most 320 px`, async () => {
      const bytes = await buildImage(format, 800, 400);
      const res = await upload(server, token, [{ name: `photo.${format}`, bytes, type: 'text/html' }]);
      expect(res.status).toBe(201);
      const [stored] = res.body.uploads;
      expect(stored).toEqual({
        id: expect.any(String),
        name: `photo.${format}`,
        content_type: contentType,
        size: bytes.length,
        url: `/v1/uploads/${stored.id}`,
        thumbnail_url: `/v1/uploads/${stored.id}/thumbnail`,
        // No scanner is configured here: uploads are clean at once.
        scan_status: 'clean',
      });
      const thumbnail = await download(server, stored.thumbnail_url, token);
      expect(thumbnail.status).toBe(200);
      expect(thumbnail.headers.get('content-type')).toBe('image/webp');
      const meta = await sharp(thumbnail.bytes).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: 320, height: 160 });
    });
  }

  const documents: [string, () => Buffer, string][] = [
    ['report.pdf', buildPdf, 'application/pdf'],
    ['letter.docx', buildDocx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['sheet.xlsx', buildXlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['old letter.doc', buildCompoundFile, 'application/msword'],
    ['old sheet.XLS', buildCompoundFile, 'application/vnd.ms-excel'],
    ['notes.txt', () => Buffer.from('Bus 12 is running late.\nÜberall schön — 🚌\n'), 'text/plain'],
  ];
  for (const [name, build, contentType] of documents) {
    it(`stores ${name} as ${contentType} without a thumbnail`, async () => {
      const bytes = build();
      const res = await upload(server, token, [{ name, bytes }]);
      expect(res.status).toBe(201);
      expect(res.body.uploads[0]).toEqual({ id: expect.any(String), name, content_type: contentType, size: bytes.length, url: `/v1/uploads/${res.body.uploads[0].id}`, scan_status: 'clean' });
      const back = await download(server, res.body.uploads[0].url, token);
      expect(back.bytes.equals(bytes)).toBe(true);
    });
  }

  it('takes the type from the bytes, not the name or the declared type: a PNG named .pdf is a PNG', async () => {
    const res = await upload(server, token, [{ name: 'invoice.pdf', bytes: await buildImage('png', 10, 10), type: 'application/pdf' }]);
    expect(res.status).toBe(201);
    expect(res.body.uploads[0]).toMatchObject({ name: 'invoice.pdf', content_type: 'image/png', thumbnail_url: expect.any(String) });
  });

  it('accepts several files in one request, under any file field name, in order', async () => {
    const before = await attachmentRows(server);
    const res = await upload(server, token, [
      { name: 'a.png', bytes: await buildImage('png', 20, 20), field: 'files' },
      { name: 'b.pdf', bytes: buildPdf(), field: 'attachments' },
      { name: 'c.txt', bytes: Buffer.from('hello'), field: 'whatever' },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.uploads.map((u: { name: string }) => u.name)).toEqual(['a.png', 'b.pdf', 'c.txt']);
    expect(await attachmentRows(server)).toBe(before + 3);
  });

  it('ignores plain form fields next to the files', async () => {
    const form = new FormData();
    form.append('caption', 'not a file');
    form.append('attachments', new Blob([new Uint8Array(buildPdf())]), 'x.pdf');
    const response = await fetch(`${server.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(response.status).toBe(201);
    expect((await response.json()).uploads).toHaveLength(1);
  });

  it('keeps every stored file under a generated key, never the client name', async () => {
    for (const file of filesOnDisk(server)) expect(file.split('/').pop()).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
