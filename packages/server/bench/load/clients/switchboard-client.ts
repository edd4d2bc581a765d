import { randomBytes } from 'node:crypto';
import WebSocket, { type RawData } from 'ws';
import { markerValue, CONTENT } from '../payload.js';
import type { BenchClient, ClientEvents, ConnectOptions } from './types.js';

type Reply = Record<string, unknown> & { success?: boolean; request_id?: unknown; error?: unknown; code?: unknown };

const NEW_MESSAGE = '{"type":"new_message"';
const SUCCESS = '{"success"';

/**
 * A native-protocol client: `?token=` on the URL, `authenticated` welcome, `{type, data,
 * request_id}` frames. Sends carry a `client_id` (as the SDK's outbox does) and the bench marker in
 * `metadata`; numeric request ids are message numbers, string ones are other requests.
 */
export class SwitchboardClient implements BenchClient {
  private readonly waiting = new Map<string, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private nextRequest = 0;
  private closing = false;
  /**
   * Client ids are unique per connection: the same user sending message number n again in a
   * later run over the same database must not hit the idempotency key of an earlier message
   * (the server would answer with the original and publish nothing).
   */
  private readonly clientPrefix = randomBytes(6).toString('base64url');

  private constructor(
    private readonly ws: WebSocket,
    private readonly events: ClientEvents,
  ) {}

  static connect(options: ConnectOptions, events: ClientEvents): Promise<SwitchboardClient> {
    return new Promise<SwitchboardClient>((resolve, reject) => {
      const url = `${options.endpoint}/v1/ws?token=${encodeURIComponent(options.token ?? '')}`;
      const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: options.timeoutMs });
      let settled = false;
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(reason));
      };
      const timer = setTimeout(() => fail('timeout waiting for authenticated'), options.timeoutMs);
      ws.on('error', (error) => fail(`error: ${error.message}`));
      ws.on('close', (code, reason) => fail(`closed ${code} ${reason.toString()}`));
      // Other frames (presence of contacts, say) may come before the welcome: skip them.
      const onMessage = (data: RawData) => {
        const text = data.toString();
        if (text.startsWith('{"type":"auth_error"') || text.startsWith('{"type":"error"')) return fail(`refused: ${text.slice(0, 160)}`);
        if (!text.startsWith('{"type":"authenticated"')) return;
        settled = true;
        clearTimeout(timer);
        ws.off('message', onMessage);
        ws.removeAllListeners('error');
        ws.removeAllListeners('close');
        const client = new SwitchboardClient(ws, events);
        client.listen();
        resolve(client);
      };
      ws.on('message', onMessage);
    });
  }

  private listen(): void {
    this.ws.on('message', (data: RawData) => this.onFrame(data as Buffer));
    this.ws.on('error', () => {});
    this.ws.on('close', (code, reason) => {
      for (const w of this.waiting.values()) w.reject(new Error(`closed ${code}`));
      this.waiting.clear();
      if (!this.closing) this.events.closed(`close ${code} ${reason.toString()}`.trim());
    });
  }

  private onFrame(data: Buffer): void {
    const head = data.toString('latin1', 0, 24);
    if (head.startsWith(NEW_MESSAGE)) {
      this.events.delivery(data);
      return;
    }
    if (!head.startsWith(SUCCESS)) return;
    const reply = JSON.parse(data.toString()) as Reply;
    const id = reply.request_id;
    if (typeof id === 'number') {
      this.events.ack(id, reply.success === true, reply.success === true ? undefined : String(reply.code ?? reply.error));
    } else if (typeof id === 'string') {
      const waiter = this.waiting.get(id);
      if (waiter) {
        this.waiting.delete(id);
        waiter.resolve(reply);
      }
    }
  }

  /** Sends a frame and resolves with its reply (success or not). */
  request(type: string, data: unknown, timeoutMs = 30_000): Promise<Reply> {
    const id = `r${this.nextRequest++}`;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${type}: no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.ws.send(JSON.stringify({ type, data, request_id: id }));
    });
  }

  async join(room: string): Promise<void> {
    const reply = await this.request('join_conversation', { conversation_id: room });
    if (reply.success !== true) throw new Error(`join ${room}: ${String(reply.code ?? reply.error)}`);
  }

  send(room: string, member: number, n: number, sentAtMs: number): void {
    this.ws.send(
      `{"type":"send_chat_message","request_id":${n},"data":{"conversation_id":"${room}","content":"${CONTENT}","client_id":"${this.clientPrefix}-${n}","metadata":{"b":"${markerValue(member, n, sentAtMs)}"}}}`,
    );
  }

  close(): Promise<void> {
    this.closing = true;
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 3000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close(1000, 'bench done');
    });
  }
}
