import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadUrlSigner } from '../../src/attachments/upload-url-signer.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { buildImage, buildPdf } from './sample-files.js';
import { download, upload } from './upload-client.js';


describe('signed download links', () => {
  let server: TestServer;
  let owner: Awaited<ReturnType<TestServer['user']>>;
  let pdf: Buffer;
  let upload_: { id: string; url: string; thumbnail_url?: string };
  let image: { id: string; url: string; thumbnail_url?: string };
  beforeAll(async () => {
    server = await startTestServer();
    owner = await server.user(['customer']);
    pdf = buildPdf();
    [upload_, image] = (await upload(server, owner.token, [{ name: 'a.pdf', bytes: pdf }, { name: 'b.png', bytes: await buildImage('png', 50, 50) }])).body.uploads;
  });
  afterAll(() => server.close());

  const sign = (id: string, body?: unknown) => server.request('POST', `/v1/uploads/${id}/signed-url`, { token: owner.token, ...(body !== undefined && { body }) });

  it('gives a link that downloads without a token until it expires', async () => {
    const before = Date.now();
    const res = await sign(upload_.id);
    expect(res.status).toBe(200);
    expect(res.body.url).toMatch(new RegExp(`^/v1/uploads/${upload_.id}\\?expires=\\d+&signature=[A-Za-z0-9_-]{43}$`));
    const expiresAt = Date.parse(res.body.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 299_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 300_000);
    const file = await download(server, res.body.url);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(pdf)).toBe(true);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('signs thumbnails separately, with the lifetime asked for', async () => {
    const res = await sign(image.id, { variant: 'thumbnail', expires_in: 60 });
    expect(res.status).toBe(200);
    expect(res.body.url).toContain(`/v1/uploads/${image.id}/thumbnail?`);
    expect(Date.parse(res.body.expires_at)).toBeLessThanOrEqual(Date.now() + 60_000);
    const thumb = await download(server, res.body.url);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    // The thumbnail's signature does not open the original.
    expect((await download(server, res.body.url.replace('/thumbnail', ''))).status).toBe(403);
  });

  it('refuses an expired link', async () => {
    const hourAgo = new UploadUrlSigner(server.services.config.jwtSecret, () => Date.now() - 3_600_000);
    const expired = hourAgo.sign(upload_.id, 'original', 60);
    const res = await server.request('GET', expired.url);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('invalid_signature');
  });

  it('refuses a tampered signature, a moved expiry, another id, or half a link', async () => {
    const { url } = (await sign(upload_.id)).body as { url: string };
    const query = new URL(url, server.url).searchParams;
    const signature = query.get('signature')!;
    const expires = query.get('expires')!;
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    const tries = [
      `/v1/uploads/${upload_.id}?expires=${expires}&signature=${flipped}`,
      `/v1/uploads/${upload_.id}?expires=${Number(expires) + 1000}&signature=${signature}`,
      `/v1/uploads/${image.id}?expires=${expires}&signature=${signature}`,
      `/v1/uploads/${upload_.id}?signature=${signature}`,
      `/v1/uploads/${upload_.id}?expires=${expires}`,
    ];
    for (const path of tries) {
      const res = await server.request('GET', path);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code, path).toBe('invalid_signature');
    }
  });

  it('is signed only for those who may open the upload', async () => {
    const other = await server.user(['customer']);
    const res = await server.request('POST', `/v1/uploads/${upload_.id}/signed-url`, { token: other.token });
    expect(res.status).toBe(403);
    expect((await server.request('POST', `/v1/uploads/${upload_.id}/signed-url`)).status).toBe(401);
    expect((await sign(upload_.id, { variant: 'thumbnail' })).status).toBe(404);
    expect((await sign(upload_.id, { expires_in: 999_999 })).status).toBe(422);
  });
});
