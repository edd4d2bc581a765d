import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredAttachment } from '../../src/storage/store.js';
import { clamdBinary, EICAR_SIGNATURE, startClamd, type TestClamd } from './clamd-process.js';
import { EICAR, hashSignature } from './eicar.js';
import { buildImage, buildPdf } from './sample-files.js';
import { eventually, openRoom, startScanServer, type ScanTestServer } from './scan-test-server.js';
import { download, upload } from './upload-client.js';

/** Where a blob key lives under a LocalBlobStore root. */
const blobPath = (server: ScanTestServer, area: 'uploads' | 'quarantine', key: string) => join(server.services.config.dataDir, area, key.slice(0, 2), key);

describe.skipIf(!clamdBinary)('virus scanning of uploads with a real clamd (SCAN_MODE=required)', () => {
  let clamd: TestClamd;
  let server: ScanTestServer;
  /** An image clamd is told to detect, to see thumbnails withheld too. */
  let infectedImage: Buffer;
  beforeAll(async () => {
    infectedImage = await buildImage('png', 64, 64);
    clamd = await startClamd({ signatures: [hashSignature(infectedImage, 'Test-Infected-Image')] });
    server = await startScanServer({ CLAMD_URL: clamd.url });
  });
  afterAll(async () => {
    await server?.close();
    await clamd?.stop();
  });

  it('answers the upload at once as pending, then serves the file once clamd passed it', async () => {
    const { a } = await openRoom(server);
    const pdf = buildPdf();
    const res = await upload(server, a.token, [{ name: 'manifest.pdf', bytes: pdf }]);
    expect(res.status).toBe(201);
    const [stored] = res.body.uploads;
    expect(stored).toMatchObject({ name: 'manifest.pdf', content_type: 'application/pdf', scan_status: 'pending' });

    await server.waitForAttachment(stored.id, (u) => u.scanStatus === 'clean');
    const file = await download(server, stored.url, a.token);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(pdf)).toBe(true);
    expect(file.headers.get('x-scan-status')).toBe('clean');
    await eventually('the scan job to complete', async () => (await server.services.store.outbox.byId(`${stored.id}:attachments.scan`))?.completedAt != null);
  });

  it('quarantines EICAR and never serves it: not by download, signed-URL grant or signed link', async () => {
    const { a, b, stranger, id } = await openRoom(server);
    const [eicar] = (await upload(server, a.token, [{ name: 'eicar.txt', bytes: EICAR }])).body.uploads;
    expect(eicar).toMatchObject({ content_type: 'text/plain', size: 68, scan_status: 'pending' });
    // A message may carry it while it is pending: the send commits at once.
    const sent = await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'the file', attachments: [eicar.id] } });
    expect(sent.status).toBe(201);

    const infected = await server.waitForAttachment(eicar.id, (u) => u.scanStatus === 'infected');
    expect(infected.scanDetail).toBe(`${EICAR_SIGNATURE}.UNOFFICIAL`);
    for (const token of [a.token, b.token]) {
      const res = await download(server, eicar.url, token);
      expect(res.status).toBe(410);
      expect(JSON.parse(res.bytes.toString())).toEqual({
        error: { code: 'file_infected', message: 'The file contains malware and has been quarantined', details: { scan_status: 'infected' } },
      });
    }
    // Authorization still comes first: an outsider gets the access error, nothing of the scan.
    const outsider = JSON.parse((await download(server, eicar.url, stranger.token)).bytes.toString());
    expect(['not_participant', 'conversation_not_found']).toContain(outsider.error.code);
    const grant = await server.request('POST', `/v1/uploads/${eicar.id}/signed-url`, { token: b.token });
    expect(grant.status).toBe(410);
    expect(grant.body.error.code).toBe('file_infected');
    // A link signed before the verdict (or by a profile) does not open it either.
    const link = server.services.attachments.signUrl(eicar.id, 'original', 300);
    const viaLink = await download(server, link.url);
    expect(viaLink.status).toBe(410);
    expect(JSON.parse(viaLink.bytes.toString()).error.code).toBe('file_infected');
  });

  it('moves the infected bytes out of the served area into quarantine', async () => {
    const { a } = await openRoom(server);
    const [eicar] = (await upload(server, a.token, [{ name: 'eicar.txt', bytes: EICAR }])).body.uploads;
    const infected = await server.waitForAttachment(eicar.id, (u) => u.scanStatus === 'infected');
    await eventually('the bytes to leave the served area', () => !existsSync(blobPath(server, 'uploads', infected.storageKey)));
    expect(readFileSync(blobPath(server, 'quarantine', infected.storageKey)).equals(EICAR)).toBe(true);
  });

  it('logs an audit line at warn with the signature, and tells admins on the admin topic', async () => {
    const { a, id } = await openRoom(server);
    const [eicar] = (await upload(server, a.token, [{ name: 'eicar.txt', bytes: EICAR }])).body.uploads;
    await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: '', attachments: [eicar.id] } });
    await eventually('the admin event', () => server.adminEvents.some((e) => e.type === 'attachment.infected' && e.attachment.id === eicar.id));

    const audit = server.logs.filter((line) => line.audit === 'attachment.infected' && line.attachmentId === eicar.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ level: 40, uploaderId: a.user.id, name: 'eicar.txt', size: 68, signature: `${EICAR_SIGNATURE}.UNOFFICIAL` });
    expect(audit[0]!.msg).toContain(`${EICAR_SIGNATURE}.UNOFFICIAL`);

    const event = server.adminEvents.find((e) => e.type === 'attachment.infected' && e.attachment.id === eicar.id);
    expect(event).toEqual({
      type: 'attachment.infected',
      attachment: {
        id: eicar.id,
        name: 'eicar.txt',
        contentType: 'text/plain',
        size: 68,
        uploaderId: a.user.id,
        // Whether the message was recorded before the verdict is a race; the conversation is not.
        conversationId: id,
        messageId: expect.toSatisfy((m: unknown) => m === null || typeof m === 'string'),
        signature: `${EICAR_SIGNATURE}.UNOFFICIAL`,
        detectedAt: expect.any(String),
      },
    });
  });

  it('withholds and deletes the thumbnail of an infected image', async () => {
    const { a } = await openRoom(server);
    const [image] = (await upload(server, a.token, [{ name: 'photo.png', bytes: infectedImage }])).body.uploads;
    expect(image.thumbnail_url).toBe(`/v1/uploads/${image.id}/thumbnail`);
    const infected: StoredAttachment = await server.waitForAttachment(image.id, (u) => u.scanStatus === 'infected');
    expect(infected.scanDetail).toBe('Test-Infected-Image.UNOFFICIAL');

    const thumbnail = await download(server, image.thumbnail_url, a.token);
    expect(thumbnail.status).toBe(410);
    expect(JSON.parse(thumbnail.bytes.toString()).error.code).toBe('file_infected');
    const grant = await server.request('POST', `/v1/uploads/${image.id}/signed-url`, { token: a.token, body: { variant: 'thumbnail' } });
    expect(grant.status).toBe(410);
    const viaLink = await download(server, server.services.attachments.signUrl(image.id, 'thumbnail', 300).url);
    expect(viaLink.status).toBe(410);
    await eventually('the thumbnail to be deleted', () => !existsSync(blobPath(server, 'uploads', infected.thumbnailKey!)));
  });

  it('shows readers each attachment’s scan status in the message, kept current as scans settle', async () => {
    const { a, b, id } = await openRoom(server);
    const [clean, eicar] = (await upload(server, a.token, [{ name: 'route.pdf', bytes: buildPdf() }, { name: 'eicar.txt', bytes: EICAR }])).body.uploads;
    const sent = await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'two files', attachments: [clean.id, eicar.id] } });
    expect(sent.status).toBe(201);
    expect(sent.body.message.attachments.map((x: { scan_status: string }) => x.scan_status)).toEqual([expect.stringMatching(/^(pending|clean)$/), expect.stringMatching(/^(pending|infected)$/)]);

    await server.waitForAttachment(clean.id, (u) => u.scanStatus === 'clean');
    await server.waitForAttachment(eicar.id, (u) => u.scanStatus === 'infected');
    // The send recorded its message before answering, so each verdict reached the message's copy
    // either in the scan's own transaction or in the send's bookkeeping: no waiting needed.
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: b.token });
    expect(page.body.messages.at(-1).attachments).toMatchObject([
      { id: clean.id, scan_status: 'clean' },
      { id: eicar.id, scan_status: 'infected' },
    ]);
  });
});
