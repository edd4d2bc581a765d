import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import type { TestServer } from '../support/test-server.js';

export interface UploadFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** What the client claims; the server ignores it. @default "application/octet-stream" */
  readonly type?: string;
  /** @default "attachments" */
  readonly field?: string;
}

/** Posts the files as a real multipart form, the way a browser's `FormData` does. */
export async function upload(server: TestServer, token: string, files: readonly UploadFile[]): Promise<{ status: number; body: any; headers: Headers }> {
  const form = new FormData();
  for (const file of files) {
    form.append(file.field ?? 'attachments', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' }), file.name);
  }
  const response = await fetch(`${server.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** GETs a path and returns the raw bytes with the response. */
export async function download(server: TestServer, path: string, token?: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

/** Every file under `DATA_DIR/uploads`, temporary ones included. */
export function filesOnDisk(server: TestServer): string[] {
  const root = join(server.services.config.dataDir, 'uploads');
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}

/** Rows in the attachments table. */
export async function attachmentRows(server: TestServer): Promise<number> {
  const { adapter } = server.services.store as KyselyStore;
  const row = await adapter.db.selectFrom('attachments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
