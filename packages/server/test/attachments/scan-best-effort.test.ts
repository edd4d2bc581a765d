import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clamdBinary, startClamd, type TestClamd } from './clamd-process.js';
import { EICAR } from './eicar.js';
import { buildPdf } from './sample-files.js';
import { eventually, openRoom, startScanServer, type ScanTestServer } from './scan-test-server.js';
import { download, upload } from './upload-client.js';

describe.skipIf(!clamdBinary)('SCAN_MODE=best_effort while clamd is down', () => {
  let clamd: TestClamd;
  let server: ScanTestServer;
  beforeAll(async () => {
    clamd = await startClamd();
    server = await startScanServer({ CLAMD_URL: clamd.url, SCAN_MODE: 'best_effort' });
  });
  afterAll(async () => {
    await server?.close();
    await clamd?.stop();
  });

  it('serves a file clamd could not scan as unscanned, with a header saying so, and scans it once clamd is back', async () => {
    const { a, b, id } = await openRoom(server);
    await clamd.kill();
    const pdf = buildPdf();
    const [file] = (await upload(server, a.token, [{ name: 'manifest.pdf', bytes: pdf }])).body.uploads;
    await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: '', attachments: [file.id] } });
    const unscanned = await server.waitForAttachment(file.id, (u) => u.scanStatus === 'unscanned');
    expect(unscanned.scanDetail).toBe('the virus scanner could not be reached');

    const served = await download(server, file.url, b.token);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(pdf)).toBe(true);
    expect(served.headers.get('x-scan-status')).toBe('unscanned');
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: b.token });
    expect(page.body.messages.at(-1).attachments[0]).toMatchObject({ id: file.id, scan_status: 'unscanned' });
    expect(server.logs.some((l) => l.level === 40 && l.attachmentId === file.id && String(l.msg).includes('served unscanned'))).toBe(true);

    await clamd.restart();
    await server.waitForAttachment(file.id, (u) => u.scanStatus === 'clean', 60_000);
    expect((await download(server, file.url, b.token)).headers.get('x-scan-status')).toBe('clean');
  });

  it('quarantines a file it served unscanned once the retried scan finds a virus', async () => {
    const { a } = await openRoom(server);
    await clamd.kill();
    const [eicar] = (await upload(server, a.token, [{ name: 'eicar.txt', bytes: EICAR }])).body.uploads;
    await server.waitForAttachment(eicar.id, (u) => u.scanStatus === 'unscanned');
    expect((await download(server, eicar.url, a.token)).status).toBe(200);

    await clamd.restart();
    await server.waitForAttachment(eicar.id, (u) => u.scanStatus === 'infected', 60_000);
    expect((await download(server, eicar.url, a.token)).status).toBe(410);
    await eventually('the admin event', () => server.adminEvents.some((e) => e.type === 'attachment.infected' && e.attachment.id === eicar.id));
  });
});
