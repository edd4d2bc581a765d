import type { TestWsClient } from '../support/ws-client.js';

type Message = { readonly id: string; readonly seq: number; readonly [key: string]: unknown };

/**
 * Reads one conversation the way a well-behaved app does over the native protocol: it applies
 * messages in seq order, ignores what it already has, asks `sync` for what it missed whenever a
 * gap shows and after every (re)connect. It also counts what the server got wrong on a single
 * connection: the same message twice.
 */
export class SyncingReader {
  /** The conversation as this reader has it, in seq order. */
  readonly applied: Message[] = [];
  /** Messages one connection delivered twice live. */
  duplicatesOnOneConnection = 0;
  /** Connections this reader has used. */
  connections = 0;
  private readonly pending = new Map<number, Message>();
  private client: TestWsClient | undefined;
  private syncing: Promise<void> | undefined;

  constructor(readonly conversationId: string) {}

  get lastSeq(): number {
    return this.applied.at(-1)?.seq ?? 0;
  }

  /** Uses a new connection: joins the room, then syncs from the last seq it has. */
  async attach(client: TestWsClient): Promise<void> {
    this.client = client;
    this.connections++;
    const seen = new Set<string>();
    client.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type?: string; conversation_id?: string; message?: Message };
      if (frame.type !== 'new_message' || frame.conversation_id !== this.conversationId || !frame.message) return;
      if (seen.has(frame.message.id)) this.duplicatesOnOneConnection++;
      seen.add(frame.message.id);
      this.take(frame.message);
      // A gap the server gave up waiting on: fetch it rather than wait for the next reconnect.
      if (this.pending.size > 0) this.sync().catch(() => {});
    });
    const joined = await client.request('join_conversation', { conversation_id: this.conversationId });
    if (!joined.success) throw new Error(`join failed: ${JSON.stringify(joined)}`);
    await this.sync();
  }

  /** Pages `sync` from the last applied seq until the server has nothing more. One at a time. */
  sync(): Promise<void> {
    this.syncing ??= this.syncNow().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    const client = this.client!;
    for (;;) {
      const reply = await client.request('sync', { conversations: [{ id: this.conversationId, after_seq: this.lastSeq }], limit: 200 }, 10_000);
      if (!reply.success) throw new Error(`sync failed: ${JSON.stringify(reply)}`);
      const page = reply.conversations[0] as { messages: Message[]; has_more: boolean };
      for (const message of page.messages) this.take(message);
      if (!page.has_more) return;
    }
  }

  private take(message: Message): void {
    if (message.seq > this.lastSeq) this.pending.set(message.seq, message);
    for (let next = this.pending.get(this.lastSeq + 1); next !== undefined; next = this.pending.get(this.lastSeq + 1)) {
      this.pending.delete(next.seq);
      this.applied.push(next);
    }
  }
}
