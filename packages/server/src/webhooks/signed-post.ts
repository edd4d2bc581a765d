import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkTarget, guardedLookup } from './target-address.js';

/** What a receiver answered. */
export interface PostAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** At most `maxBodyBytes` of the answer's body, as text. */
  readonly body: string;
}

export interface PostOptions {
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
  /** Reach private and loopback addresses (tests, internal receivers). */
  readonly allowPrivate: boolean;
  /** Bytes of the answer kept; the rest is read and dropped. @default 65536 */
  readonly maxBodyBytes?: number;
}

const USER_AGENT = 'Switchboard-Webhooks/1';

/**
 * POSTs a JSON body and resolves the answer, whatever its status; rejects when there is none
 * (refused address, DNS, connection, or no complete answer within `timeoutMs`). The target's
 * addresses are checked before the call and again on the addresses the connection dials.
 */
export async function signedPost(url: string, body: string, options: PostOptions): Promise<PostAnswer> {
  const target = new URL(url);
  await checkTarget(target, options.allowPrivate);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  return new Promise((resolve, reject) => {
    const req = send(target, {
      method: 'POST',
      headers: { ...options.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': USER_AGENT },
      lookup: guardedLookup(options.allowPrivate),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    req.once('error', (err) => reject(err.name === 'AbortError' ? new Error(`no answer within ${options.timeoutMs} ms`) : err));
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept >= maxBodyBytes) return;
        chunks.push(chunk);
        kept += chunk.length;
      });
      res.once('error', reject);
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, maxBodyBytes).toString('utf8') }));
    });
    req.end(body);
  });
}
