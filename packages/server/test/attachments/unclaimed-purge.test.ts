import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { buildImage, buildPdf } from './sample-files.js';
import { attachmentRows, download, filesOnDisk, upload } from './upload-client.js';

describe('unclaimed uploads', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('deletes uploads no message claimed in time, record and bytes, and keeps claimed ones', async () => {
    const a = await server.user(['CONTROL_STAFF']);
    const b = await server.user(['CONTROL_STAFF']);
    const id = (await server.request('POST', '/v1/conversations', { token: a.token, body: { participant_ids: [b.user.id] } })).body.conversation.id as string;
    const [kept, dropped] = (await upload(server, a.token, [{ name: 'kept.pdf', bytes: buildPdf() }, { name: 'dropped.png', bytes: await buildImage('png') }])).body.uploads;
    expect((await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'kept', attachments: [kept.id] } })).status).toBe(201);
    const rowsBefore = await attachmentRows(server);
    const filesBefore = filesOnDisk(server).length;
    const { attachments } = server.services;

    // Not yet past the time: nothing goes.
    expect(await attachments.purgeUnclaimed()).toBe(0);
    // Past it: the unclaimed upload (file and thumbnail) goes, the claimed one stays.
    const later = Date.now() + (server.services.config.uploadUnclaimedTtlSeconds + 1) * 1000;
    expect(await attachments.purgeUnclaimed(later)).toBe(1);
    expect(await attachmentRows(server)).toBe(rowsBefore - 1);
    expect(filesOnDisk(server)).toHaveLength(filesBefore - 2);
    expect((await download(server, `/v1/uploads/${dropped.id}`, a.token)).status).toBe(404);
    expect((await download(server, `/v1/uploads/${kept.id}`, b.token)).status).toBe(200);
    expect(await attachments.purgeUnclaimed(later)).toBe(0);
  });

  it('never deletes an upload a message claims while the purge runs', async () => {
    const a = await server.user(['CONTROL_STAFF']);
    const [file] = (await upload(server, a.token, [{ name: 'late.pdf', bytes: buildPdf() }])).body.uploads;
    const other = await server.user(['CONTROL_STAFF']);
    const id = (await server.request('POST', '/v1/conversations', { token: a.token, body: { participant_ids: [other.user.id] } })).body.conversation.id as string;
    const store = server.services.store;
    // The purge saw the upload unclaimed, then a message claims it before the delete.
    await store.attachments.bind([file.id], a.user.id, id);
    expect(await store.attachments.deleteUnbound(file.id)).toBe(false);
    expect(await store.attachments.byId(file.id)).toMatchObject({ conversationId: id });
  });
});
