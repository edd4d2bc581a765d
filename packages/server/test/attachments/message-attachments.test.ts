import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { buildImage, buildPdf } from './sample-files.js';
import { download, upload } from './upload-client.js';

describe('messages that carry uploads', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  async function room() {
    const a = await server.user(['CONTROL_STAFF']);
    const b = await server.user(['CONTROL_STAFF']);
    const id = (await server.request('POST', '/v1/conversations', { token: a.token, body: { participant_ids: [b.user.id] } })).body.conversation.id as string;
    return { a, b, id };
  }

  it('attaches uploads to a message as image or file kind, live and in history, downloadable by participants only', async () => {
    const { a, b, id } = await room();
    const stranger = await server.user(['CONTROL_STAFF']);
    const ws = await TestWsClient.authenticated(server.url, b.token);
    await ws.request('join_conversation', { conversation_id: id });
    const photo = (await upload(server, a.token, [{ name: 'route.png', bytes: await buildImage('png') }])).body.uploads[0];
    const sent = await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'see the map', attachments: [photo.id] } });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatchObject({ kind: 'image', attachments: [{ id: photo.id, name: 'route.png', content_type: 'image/png', url: `/v1/uploads/${photo.id}` }] });
    const live = await ws.next((f) => f.type === 'new_message');
    expect(live.message.attachments[0]).toMatchObject({ id: photo.id, content_type: 'image/png' });
    ws.close();

    const pdf = (await upload(server, a.token, [{ name: 'manifest.pdf', bytes: buildPdf() }])).body.uploads[0];
    const doc = await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: '', attachments: [pdf.id] } });
    expect(doc.body.message).toMatchObject({ kind: 'file', content: '' });

    expect((await download(server, `/v1/uploads/${photo.id}`, b.token)).status).toBe(200);
    // As if the conversation did not exist: a stranger learns nothing of it.
    expect((await download(server, `/v1/uploads/${photo.id}`, stranger.token)).status).toBe(404);
  });

  it('refuses someone else’s upload, a reused one, or an unknown id, and writes no message', async () => {
    const { a, b, id } = await room();
    const mine = (await upload(server, a.token, [{ name: 'a.pdf', bytes: buildPdf() }])).body.uploads[0];
    for (const [token, ids] of [[b.token, [mine.id]], [a.token, ['nope']]] as const) {
      const res = await server.request('POST', `/v1/conversations/${id}/messages`, { token, body: { content: 'x', attachments: ids } });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].path).toBe('/attachments');
    }
    expect((await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'ok', attachments: [mine.id] } })).status).toBe(201);
    expect((await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'again', attachments: [mine.id] } })).status).toBe(422);
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: a.token });
    expect(page.body.messages.map((m: { content: string }) => m.content)).toEqual(['ok']);
  });

  it('gives the uploads back when the message is refused after claiming them', async () => {
    const { a, id } = await room();
    const file = (await upload(server, a.token, [{ name: 'a.pdf', bytes: buildPdf() }])).body.uploads[0];
    const refused = await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'x', attachments: [file.id], reply_to: 'missing' } });
    expect(refused.status).toBe(422);
    expect((await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'retry', attachments: [file.id] } })).status).toBe(201);
  });
});
