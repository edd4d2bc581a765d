import { connect, type NetConnectOpts } from 'node:net';
import { clamdAddress } from './clamd-address.js';
import { ScannerUnavailableError } from './scanner-unavailable-error.js';
import type { ScanVerdict, VirusScanner } from './virus-scanner.js';

export interface ClamdClientOptions {
  /** `tcp://host:port` or `unix:///path/to/clamd.ctl`. */
  readonly url: string;
  /**
   * How long clamd may stay silent before the exchange is abandoned, in ms: while connecting,
   * while it takes our bytes, and while it scans before answering. @default 30000
   */
  readonly timeoutMs?: number;
  /** Largest INSTREAM chunk, in bytes; clamd takes any size up to its StreamMaxLength. @default 65536 */
  readonly chunkBytes?: number;
}

/** `z` commands end with NUL, and so do their replies, which keeps them apart from the bytes. */
const INSTREAM = Buffer.from('zINSTREAM\0');
const PING = Buffer.from('zPING\0');
/** A zero-length chunk: the end of the stream, after which clamd answers. */
const END_OF_STREAM = Buffer.alloc(4);
/** A reply longer than this is not from clamd (its longest is a signature name and a word). */
const MAX_REPLY_BYTES = 4096;

/** A write abandoned because the exchange already ended (a reply, an error, the timeout). */
class ExchangeEnded extends Error {}

/**
 * clamd's INSTREAM protocol over one connection per scan: `zINSTREAM\0`, then the file as
 * `<uint32 big-endian length><bytes>` chunks, then a zero-length chunk; clamd answers
 * `stream: OK`, `stream: <signature> FOUND`, or `<reason> ERROR` (its size limit among them).
 * Writes wait for the socket to drain, so a large file is never buffered whole. clamd answers
 * early and closes when the stream passes its `StreamMaxLength`; reads due are handled before each
 * write so that answer is kept, but a write racing clamd's close can still fail the socket first,
 * and the scan then counts as not run (the job retries it; the next run usually gets the answer).
 * @example
 * const clamd = new ClamdClient({ url: 'tcp://127.0.0.1:3310', timeoutMs: 30_000 });
 * const verdict = await clamd.scan(createReadStream(path));
 */
export class ClamdClient implements VirusScanner {
  private readonly address: NetConnectOpts;
  private readonly timeoutMs: number;
  private readonly chunkBytes: number;

  constructor(options: ClamdClientOptions) {
    this.address = clamdAddress(options.url);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.chunkBytes = options.chunkBytes ?? 65_536;
  }

  async scan(source: AsyncIterable<Uint8Array>): Promise<ScanVerdict> {
    const reply = await this.exchange(async (write) => {
      await write(INSTREAM);
      for await (const chunk of source) {
        for (let at = 0; at < chunk.length; at += this.chunkBytes) {
          const piece = chunk.subarray(at, at + this.chunkBytes);
          await write(lengthOf(piece.length));
          await write(piece);
        }
      }
      await write(END_OF_STREAM);
    });
    return verdictOf(reply);
  }

  /** Resolves when clamd answers `zPING` with PONG; rejects with {@link ScannerUnavailableError} otherwise. */
  async ping(): Promise<void> {
    const reply = await this.exchange((write) => write(PING));
    if (reply !== 'PONG') throw new ScannerUnavailableError(`clamd answered PING with ${JSON.stringify(reply)}`);
  }

  /**
   * Connects, lets `send` write the request, and resolves clamd's reply (up to its NUL), however
   * the exchange ends: a reply that arrived wins over a write that failed after it.
   */
  private exchange(send: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const socket = connect({ ...this.address, timeout: this.timeoutMs });
      const received: Buffer[] = [];
      let receivedBytes = 0;
      let ended = false;
      let onEnded: () => void = () => {};
      const endedSignal = new Promise<void>((r) => (onEnded = r));
      const reply = () => Buffer.concat(received).toString('utf8').replace(/\0[\s\S]*$/, '').trim();
      const finish = (error?: Error) => {
        if (ended) return;
        ended = true;
        onEnded();
        socket.destroy();
        if (error) reject(error);
        else resolve(reply());
      };
      const unavailable = (what: string, cause?: unknown) => new ScannerUnavailableError(`clamd at ${describe(this.address)}: ${what}`, { cause });

      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        receivedBytes += chunk.length;
        if (chunk.includes(0)) finish();
        else if (receivedBytes > MAX_REPLY_BYTES) finish(unavailable('the reply is too long to be clamd\'s'));
      });
      socket.on('end', () => finish(receivedBytes > 0 ? undefined : unavailable('closed the connection without answering')));
      socket.on('timeout', () => finish(unavailable(`no answer within ${this.timeoutMs} ms`)));
      socket.on('error', (error) => {
        // clamd answers and closes early on its size limit; our next write then fails. Keep the answer.
        if (reply() !== '') finish();
        else finish(unavailable(error.message, error));
      });

      const write = async (bytes: Uint8Array): Promise<void> => {
        // Let the reads already due run first. clamd answers its size limit early and closes;
        // a write that lands after the close fails the socket, and the answer with it.
        await new Promise<void>((r) => setImmediate(r));
        if (ended) throw new ExchangeEnded();
        if (!socket.write(bytes)) await Promise.race([new Promise<void>((r) => socket.once('drain', r)), endedSignal]);
        if (ended) throw new ExchangeEnded();
      };
      // Once sent, the reply (or the timeout) ends the exchange; the socket stays open for it.
      send(write).catch((error: unknown) => {
        if (!(error instanceof ExchangeEnded)) finish(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }
}

function lengthOf(bytes: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(bytes);
  return prefix;
}

/** clamd's INSTREAM reply as a verdict; an error reply other than the size limit is a scan that did not run. */
function verdictOf(reply: string): ScanVerdict {
  if (reply === 'stream: OK') return { type: 'clean' };
  const found = /^stream: (.+) FOUND$/.exec(reply);
  if (found?.[1] !== undefined) return { type: 'infected', signature: found[1] };
  if (/size limit exceeded/i.test(reply)) {
    return { type: 'too_large', reason: `larger than clamd's StreamMaxLength (clamd: ${reply})` };
  }
  throw new ScannerUnavailableError(`clamd could not scan the file: ${JSON.stringify(reply)}`);
}

function describe(address: NetConnectOpts): string {
  return 'path' in address ? `unix:${address.path}` : `${address.host ?? 'localhost'}:${address.port}`;
}
