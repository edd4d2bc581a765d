import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got, as it arrived. */
export interface Received {
  readonly headers: IncomingHttpHeaders;
  /** The raw body, exactly as sent (what a signature covers). */
  readonly body: string;
  readonly at: number;
}

/** How the receiver answers the n-th request (0-based). */
export type Answer = (n: number, received: Received, res: ServerResponse) => void | Promise<void>;

/** Answers with `status` (and optionally a body and headers). */
export const status = (code: number, body = '', headers: Record<string, string> = {}) => (res: ServerResponse) => {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(body);
};

/** A local HTTP receiver on 127.0.0.1 and an ephemeral port, recording what it gets. */
export class TestReceiver {
  readonly received: Received[] = [];
  private readonly server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const n = this.received.length;
      this.received.push(received);
      void this.answer(n, received, res);
    });
  });

  private constructor(private readonly answer: Answer) {}

  static async start(answer: Answer): Promise<TestReceiver> {
    const receiver = new TestReceiver(answer);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Answers the statuses in turn (counting from its own first request), then the last one forever. */
export function inTurn(...codes: number[]): Answer {
  let n = 0;
  return (_n, _received, res) => status(codes[Math.min(n++, codes.length - 1)]!)(res);
}
