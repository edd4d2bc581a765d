import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttachmentService } from '../../src/attachments/create-attachment-service.js';
import type { AttachmentService } from '../../src/attachments/attachment.service.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { buildImage, buildPdf } from './sample-files.js';
import { download, upload } from './upload-client.js';


type Member = Awaited<ReturnType<TestServer['user']>>;

describe('downloading uploads', () => {
  let server: TestServer;
  let attachments: AttachmentService;
  let alice: Member;
  let bob: Member;
  let stranger: Member;
  let conversationId: string;
  beforeAll(async () => {
    server = await startTestServer();
    attachments = createAttachmentService(server.services);
    [alice, bob, stranger] = [await server.user(['customer']), await server.user(['customer']), await server.user(['customer'])];
    const created = await server.request('POST', '/v1/conversations', { token: alice.token, body: { type: 'general', participant_ids: [bob.user.id] } });
    conversationId = created.body.conversation.id;
  });
  afterAll(() => server.close());

  const uploadOne = async (who: Member, name: string, bytes: Uint8Array) => {
    const res = await upload(server, who.token, [{ name, bytes }]);
    expect(res.status).toBe(201);
    return res.body.uploads[0] as { id: string; url: string; thumbnail_url?: string };
  };

  it('gives the uploader the exact bytes with safe headers', async () => {
    const pdf = buildPdf();
    const stored = await uploadOne(alice, 'Q3 report – final.pdf', pdf);
    const res = await download(server, stored.url, alice.token);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(pdf)).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-length')).toBe(String(pdf.length));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Q3 report _ final.pdf"; filename*=UTF-8''Q3%20report%20%E2%80%93%20final.pdf`);
  });

  it('lets browsers show raster images in place, and their thumbnails', async () => {
    const stored = await uploadOne(alice, 'bus.jpg', await buildImage('jpeg', 400, 300));
    const original = await download(server, stored.url, alice.token);
    expect(original.headers.get('content-type')).toBe('image/jpeg');
    expect(original.headers.get('content-disposition')).toMatch(/^inline; /);
    const thumbnail = await download(server, stored.thumbnail_url!, alice.token);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(thumbnail.headers.get('content-disposition')).toBe(`inline; filename="bus.webp"; filename*=UTF-8''bus.webp`);
    expect(thumbnail.headers.get('content-length')).toBe(String(thumbnail.bytes.length));
  });

  it('never serves an uploaded text file as HTML: plain text, as a download, not sniffable', async () => {
    const stored = await uploadOne(alice, 'page.txt', Buffer.from('hello <b>not html</b>'));
    const res = await download(server, stored.url, alice.token);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('answers 404 for a thumbnail of a file that has none, and for an unknown id', async () => {
    const stored = await uploadOne(alice, 'doc.pdf', buildPdf());
    expect((await download(server, `${stored.url}/thumbnail`, alice.token)).status).toBe(404);
    const unknown = await server.request('GET', '/v1/uploads/00000000-0000-0000-0000-000000000000', { token: alice.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('upload_not_found');
  });

  it('needs a token (or a signed link)', async () => {
    const stored = await uploadOne(alice, 'doc.pdf', buildPdf());
    const res = await server.request('GET', stored.url);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect((await server.request('GET', stored.url, { headers: { authorization: 'Bearer nonsense' } })).status).toBe(401);
  });

  it('refuses anyone but the uploader while the upload is not attached to a conversation', async () => {
    const stored = await uploadOne(alice, 'doc.pdf', buildPdf());
    const res = await server.request('GET', stored.url, { token: bob.token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('opens a claimed upload to the participants of its conversation, and to no stranger', async () => {
    const pdf = buildPdf();
    const stored = await uploadOne(alice, 'shared.pdf', pdf);
    const claimed = await attachments.claim({ kind: 'user', user: alice.user, token: { jti: undefined, exp: undefined } }, conversationId, [stored.id]);
    expect(claimed).toEqual([{ id: stored.id, name: 'shared.pdf', contentType: 'application/pdf', size: pdf.length, url: `/v1/uploads/${stored.id}`, scanStatus: 'clean' }]);

    const participant = await download(server, stored.url, bob.token);
    expect(participant.status).toBe(200);
    expect(participant.bytes.equals(pdf)).toBe(true);
    const outsider = await server.request('GET', stored.url, { token: stranger.token });
    // As if the conversation did not exist: a stranger learns nothing of it.
    expect(outsider.status).toBe(404);
    expect(outsider.body.error.code).toBe('conversation_not_found');
    expect((await server.request('GET', stored.url, { apiKey: TEST_API_KEY })).status).toBe(200);
  });

  it('documents the upload routes in the OpenAPI document', async () => {
    const doc = await server.request('GET', '/docs/json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/uploads', '/v1/uploads/{id}', '/v1/uploads/{id}/thumbnail', '/v1/uploads/{id}/signed-url']));
  });

  describe('claim', () => {
    const actor = (m: Member) => ({ kind: 'user', user: m.user, token: { jti: undefined, exp: undefined } }) as const;

    it('binds several uploads at once and returns them with their download paths', async () => {
      const a = await uploadOne(alice, 'a.png', await buildImage('png', 10, 10));
      const b = await uploadOne(alice, 'b.pdf', buildPdf());
      const claimed = await attachments.claim(actor(alice), conversationId, [a.id, b.id, a.id]);
      expect(claimed.map((x) => [x.id, x.url, x.thumbnailUrl])).toEqual([
        [a.id, `/v1/uploads/${a.id}`, `/v1/uploads/${a.id}/thumbnail`],
        [b.id, `/v1/uploads/${b.id}`, undefined],
      ]);
      await attachments.setMessage([a.id, b.id], 'message-1');
      expect((await server.services.store.attachments.byId(a.id))?.messageId).toBe('message-1');
    });

    it('binds nothing when any id is unknown, someone else’s or already used', async () => {
      const mine = await uploadOne(alice, 'mine.pdf', buildPdf());
      const theirs = await uploadOne(bob, 'theirs.pdf', buildPdf());
      const used = await uploadOne(alice, 'used.pdf', buildPdf());
      await attachments.claim(actor(alice), conversationId, [used.id]);
      for (const bad of ['no-such-upload', theirs.id, used.id]) {
        await expect(attachments.claim(actor(alice), conversationId, [mine.id, bad])).rejects.toMatchObject({
          code: 'validation_failed',
          details: [{ path: '/attachments' }],
        });
      }
      expect((await server.services.store.attachments.byId(mine.id))?.conversationId).toBeNull();
    });

    it('refuses to bind to a conversation the uploader is not in', async () => {
      const mine = await uploadOne(stranger, 'mine.pdf', buildPdf());
      await expect(attachments.claim(actor(stranger), conversationId, [mine.id])).rejects.toMatchObject({ code: 'conversation_not_found' });
    });
  });
});
