import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { eventually } from '../ws/ws-fixtures.js';
import { buildPdf } from './sample-files.js';
import { filesOnDisk, upload } from './upload-client.js';

const TWO_HOURS_AGO = new Date(Date.now() - 2 * 3600_000);

/** What a process killed mid-upload leaves under `uploads/`: a partial write and a blob without a record. */
function crashRemnants(dataDir: string, age: Date): { part: string; blob: string } {
  const root = join(dataDir, 'uploads');
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const part = join(root, '.tmp', 'Orphanedkey0123456789.abcdef012345.part');
  const key = 'Orphanedblob0123456789abcdef';
  mkdirSync(join(root, key.slice(0, 2)), { recursive: true });
  const blob = join(root, key.slice(0, 2), key);
  for (const path of [part, blob]) {
    writeFileSync(path, 'half of an upload');
    utimesSync(path, age, age);
  }
  return { part, blob };
}

describe('bytes a crash left without a record', () => {
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('are swept when the server starts, while every recorded upload keeps its bytes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-orphans-'));
    dirs.push(dataDir);
    const remnants = crashRemnants(dataDir, TWO_HOURS_AGO);
    const server = await startTestServer({ DATA_DIR: dataDir });
    servers.push(server);
    await eventually(() => !existsSync(remnants.part) && !existsSync(remnants.blob), 'the start-up sweep');
    const { token } = await server.user(['customer']);
    const uploaded = await upload(server, token, [{ name: 'report.pdf', bytes: buildPdf() }]);
    expect(uploaded.status).toBe(201);
    const kept = filesOnDisk(server);
    expect(kept.length).toBe(1);
    // Even with no grace at all, a blob its record names stays.
    expect(await server.services.attachments.sweepOrphans(0)).toEqual({ partial: 0, orphaned: 0 });
    expect(filesOnDisk(server)).toEqual(kept);
  });

  it('leave young files alone, so an upload under way keeps its blob until its record lands', async () => {
    const server = await startTestServer();
    servers.push(server);
    const young = crashRemnants(server.services.config.dataDir, new Date());
    expect(await server.services.attachments.sweepOrphans()).toEqual({ partial: 0, orphaned: 0 });
    expect([existsSync(young.part), existsSync(young.blob)]).toEqual([true, true]);
    const old = new Date(Date.now() - 2 * 3600_000);
    for (const path of [young.part, young.blob]) utimesSync(path, old, old);
    expect(await server.services.attachments.sweepOrphans()).toEqual({ partial: 1, orphaned: 1 });
    expect([existsSync(young.part), existsSync(young.blob)]).toEqual([false, false]);
  });
});
