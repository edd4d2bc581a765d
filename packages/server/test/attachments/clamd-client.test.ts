import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClamdClient } from '../../src/attachments/scanning/clamd-client.js';
import { ScannerUnavailableError } from '../../src/attachments/scanning/scanner-unavailable-error.js';
import type { ScanVerdict } from '../../src/attachments/scanning/virus-scanner.js';
import { clamdBinary, EICAR_SIGNATURE, freePort, startClamd, type TestClamd } from './clamd-process.js';
import { EICAR } from './eicar.js';

/** The bytes as a stream of chunks of `size`, as a file is read from disk. */
async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** A loopback TCP server we control, answering each connection with `onConnection`. */
async function loopbackServer(onConnection: (socket: Socket) => void): Promise<{ url: string; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return { url: `tcp://127.0.0.1:${address.port}`, server, sockets };
}

async function closeServer(handle: { server: Server; sockets: Socket[] }): Promise<void> {
  for (const socket of handle.sockets) socket.destroy();
  await new Promise<void>((resolve) => handle.server.close(() => resolve()));
}

describe.skipIf(!clamdBinary)('the clamd INSTREAM client, against a real clamd', () => {
  let clamd: TestClamd;
  let client: ClamdClient;
  beforeAll(async () => {
    // 1 MiB, so the size limit is reachable with a small file.
    clamd = await startClamd({ streamMaxLength: '1M' });
    client = new ClamdClient({ url: clamd.url, timeoutMs: 10_000 });
  });
  afterAll(() => clamd?.stop());

  it('answers PING', async () => {
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('passes a clean file', async () => {
    expect(await client.scan(chunksOf(Buffer.from('Bus 12 is running late.\n'), 1024))).toEqual({ type: 'clean' });
  });

  it('finds the EICAR test file and names the signature', async () => {
    const verdict = await client.scan(chunksOf(EICAR, 1024));
    expect(verdict).toEqual({ type: 'infected', signature: `${EICAR_SIGNATURE}.UNOFFICIAL` });
  });

  it('finds EICAR when its bytes arrive split across many small INSTREAM chunks', async () => {
    const small = new ClamdClient({ url: clamd.url, timeoutMs: 10_000, chunkBytes: 7 });
    expect(await small.scan(chunksOf(EICAR, 5))).toMatchObject({ type: 'infected' });
  });

  it('passes a clean file of many chunks just under the size limit', async () => {
    const almost = Buffer.alloc(1024 * 1024 - 16, 'a');
    expect(await client.scan(chunksOf(almost, 65_536))).toEqual({ type: 'clean' });
  });

  it('reports clamd’s StreamMaxLength refusal as too large, with clamd’s reason', async () => {
    // clamd answers early and closes; a write racing that close can lose the answer, which is
    // then a scan that did not run (retried by the job), never a verdict. A few tries get it.
    let verdict: ScanVerdict | undefined;
    for (let attempt = 0; attempt < 5 && verdict === undefined; attempt++) {
      verdict = await client.scan(chunksOf(Buffer.alloc(2 * 1024 * 1024, 'a'), 65_536)).catch((error: unknown) => {
        expect(error).toBeInstanceOf(ScannerUnavailableError);
        return undefined;
      });
    }
    expect(verdict).toEqual({ type: 'too_large', reason: "larger than clamd's StreamMaxLength (clamd: INSTREAM size limit exceeded. ERROR)" });
  });

  it('counts a clamd that is not running as unavailable', async () => {
    const gone = new ClamdClient({ url: `tcp://127.0.0.1:${await freePort()}`, timeoutMs: 5000 });
    await expect(gone.scan(chunksOf(EICAR, 1024))).rejects.toBeInstanceOf(ScannerUnavailableError);
    await expect(gone.ping()).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('the clamd INSTREAM client, against loopback servers that misbehave', () => {
  it('gives up on a server that accepts the stream and never answers, as unavailable', async () => {
    const silent = await loopbackServer((socket) => socket.resume());
    try {
      const client = new ClamdClient({ url: silent.url, timeoutMs: 300 });
      const scan = client.scan(chunksOf(Buffer.from('hello'), 1024));
      await expect(scan).rejects.toBeInstanceOf(ScannerUnavailableError);
      await expect(scan).rejects.toThrow('no answer within 300 ms');
      // The abandoned connection is closed, not left open on the server.
      await expect.poll(() => silent.sockets.every((s) => s.destroyed || s.readableEnded), { timeout: 5000 }).toBe(true);
    } finally {
      await closeServer(silent);
    }
  });

  it('gives up on a server that never reads, while the file is still being sent', async () => {
    const stuck = await loopbackServer((socket) => socket.pause());
    try {
      const client = new ClamdClient({ url: stuck.url, timeoutMs: 300 });
      // Far more than the socket buffers hold, so the writes stall waiting for a drain.
      await expect(client.scan(chunksOf(Buffer.alloc(64 * 1024 * 1024), 1024 * 1024))).rejects.toThrow('no answer within 300 ms');
    } finally {
      await closeServer(stuck);
    }
  });

  it('treats an error reply other than the size limit as a scan that did not run', async () => {
    const failing = await loopbackServer((socket) => socket.once('data', () => socket.end('Can\'t allocate memory ERROR\0')));
    try {
      const client = new ClamdClient({ url: failing.url, timeoutMs: 5000 });
      await expect(client.scan(chunksOf(Buffer.from('hello'), 1024))).rejects.toThrow(/could not scan the file: "Can't allocate memory ERROR"/);
    } finally {
      await closeServer(failing);
    }
  });

  it('treats a connection closed without a reply as unavailable', async () => {
    const hangUp = await loopbackServer((socket) => socket.once('data', () => socket.end()));
    try {
      const client = new ClamdClient({ url: hangUp.url, timeoutMs: 5000 });
      await expect(client.scan(chunksOf(Buffer.from('hello'), 1024))).rejects.toThrow('closed the connection without answering');
    } finally {
      await closeServer(hangUp);
    }
  });
});
