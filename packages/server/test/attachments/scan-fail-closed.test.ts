import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clamdBinary, freePort, startClamd, type TestClamd } from './clamd-process.js';
import { buildImage } from './sample-files.js';
import { eventually, openRoom, startScanServer, type ScanTestServer } from './scan-test-server.js';
import { download, upload } from './upload-client.js';

const scanJobId = (uploadId: string) => `${uploadId}:attachments.scan`;

describe.skipIf(!clamdBinary)('SCAN_MODE=required while clamd is down: fail closed', () => {
  let clamd: TestClamd;
  let server: ScanTestServer;
  beforeAll(async () => {
    clamd = await startClamd();
    server = await startScanServer({ CLAMD_URL: clamd.url, SCAN_MODE: 'required' });
  });
  afterAll(async () => {
    await server?.close();
    await clamd?.stop();
  });

  it('keeps a file pending and unavailable while clamd is down, and the job’s retry scans it clean once clamd is back', async () => {
    const { a, b, id } = await openRoom(server);
    await clamd.kill();
    expect(clamd.pid).toBeUndefined();

    const [photo] = (await upload(server, a.token, [{ name: 'map.png', bytes: await buildImage('png', 100, 80) }])).body.uploads;
    expect(photo.scan_status).toBe('pending');
    // The message commits at once and says the attachment is pending.
    const sent = await server.request('POST', `/v1/conversations/${id}/messages`, { token: a.token, body: { content: 'map', attachments: [photo.id] } });
    expect(sent.status).toBe(201);
    expect(sent.body.message.attachments[0]).toMatchObject({ id: photo.id, scan_status: 'pending' });

    // The scan has run and failed at least once: the file is still pending, not served.
    await eventually('a failed scan attempt', async () => (await server.services.store.outbox.byId(scanJobId(photo.id)))?.lastError != null);
    expect((await server.attachment(photo.id))?.scanStatus).toBe('pending');
    const page = await server.request('GET', `/v1/conversations/${id}/messages`, { token: b.token });
    expect(page.body.messages.at(-1).attachments[0]).toMatchObject({ id: photo.id, scan_status: 'pending' });
    for (const path of [photo.url, photo.thumbnail_url]) {
      const res = await download(server, path, b.token);
      expect(res.status).toBe(409);
      expect(JSON.parse(res.bytes.toString())).toEqual({
        error: { code: 'file_pending', message: 'The file is still being scanned for viruses; retry shortly', details: { scan_status: 'pending' }, retryable: true },
      });
    }
    expect((await server.request('POST', `/v1/uploads/${photo.id}/signed-url`, { token: b.token })).body.error.code).toBe('file_pending');
    expect(server.logs.some((l) => l.kind === 'attachments.scan' && l.msg === 'outbox job failed; retrying later')).toBe(true);

    await clamd.restart();
    await server.waitForAttachment(photo.id, (u) => u.scanStatus === 'clean', 60_000);
    const file = await download(server, photo.url, b.token);
    expect(file.status).toBe(200);
    expect(file.headers.get('x-scan-status')).toBe('clean');
    expect((await download(server, photo.thumbnail_url, b.token)).status).toBe(200);
    const after = await server.request('GET', `/v1/conversations/${id}/messages`, { token: b.token });
    expect(after.body.messages.at(-1).attachments[0]).toMatchObject({ id: photo.id, scan_status: 'clean' });
  });
});

describe('SCAN_MODE=required when the scan never runs', () => {
  let server: ScanTestServer;
  afterEach(() => server?.close());

  it('marks the file failed once the runner’s attempts run out, and never serves it', async () => {
    // Nothing listens on this port: every attempt is refused.
    server = await startScanServer({ CLAMD_URL: `tcp://127.0.0.1:${await freePort()}`, JOB_MAX_ATTEMPTS: '2' });
    const { a } = await openRoom(server);
    const [file] = (await upload(server, a.token, [{ name: 'notes.txt', bytes: Buffer.from('Bus 12 is late.\n') }])).body.uploads;
    const failed = await server.waitForAttachment(file.id, (u) => u.scanStatus === 'failed');
    expect(failed.scanDetail).toBe('the virus scanner could not be reached');

    const res = await download(server, file.url, a.token);
    expect(res.status).toBe(410);
    expect(JSON.parse(res.bytes.toString())).toEqual({
      error: {
        code: 'file_scan_failed',
        message: 'The file could not be scanned for viruses and will not be served: the virus scanner could not be reached',
        details: { scan_status: 'failed' },
      },
    });
    // The job ends completed (the file's state says what happened), not as a dead letter.
    await eventually('the job to settle', async () => (await server.services.store.outbox.byId(scanJobId(file.id)))?.completedAt != null);
    const job = await server.services.store.outbox.byId(scanJobId(file.id));
    expect(job).toMatchObject({ attempts: 2, failedAt: null });
    expect(server.logs.some((l) => l.level === 50 && l.attachmentId === file.id && l.msg === 'virus scan never ran; the upload is failed and will not be served')).toBe(true);
  });
});

describe.skipIf(!clamdBinary)('a file larger than clamd’s StreamMaxLength', () => {
  let clamd: TestClamd;
  let server: ScanTestServer;
  beforeAll(async () => {
    clamd = await startClamd({ streamMaxLength: '1M' });
    server = await startScanServer({ CLAMD_URL: clamd.url });
  });
  afterAll(async () => {
    await server?.close();
    await clamd?.stop();
  });

  it('fails with clamd’s reason as soon as clamd refuses it, instead of retrying until the attempts run out', async () => {
    const { a } = await openRoom(server);
    const [big] = (await upload(server, a.token, [{ name: 'log.txt', bytes: Buffer.alloc(2 * 1024 * 1024, 'a') }])).body.uploads;
    const failed = await server.waitForAttachment(big.id, (u) => u.scanStatus === 'failed');
    expect(failed.scanDetail).toBe("the file is larger than the virus scanner accepts (clamd's StreamMaxLength)");
    // Settled by clamd's refusal, not by running out of attempts (that reason would differ). A
    // run may first lose clamd's early answer to the reset that follows it, and be retried.
    expect((await server.services.store.outbox.byId(scanJobId(big.id)))?.attempts).toBeLessThan(server.services.config.jobMaxAttempts);
    const res = await download(server, big.url, a.token);
    expect(res.status).toBe(410);
    expect(JSON.parse(res.bytes.toString()).error.message).toContain("clamd's StreamMaxLength");
    expect(server.logs.some((l) => l.attachmentId === big.id && String(l.reason).includes('INSTREAM size limit exceeded'))).toBe(true);
  });
});
