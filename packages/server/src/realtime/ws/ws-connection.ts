import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { UserActor } from '../../core/actor.js';
import type { LiveConnection } from '../connection-lifecycle.js';

/** How many times the buffer limit one event-loop turn may queue before the flush. */
const QUEUE_FACTOR = 4;

/**
 * A text frame encoded once, WebSocket header included, and written as-is to every recipient:
 * an event fanned out to fifty connections is converted to bytes once, not fifty times.
 */
export class OutboundFrame {
  private encoded: Buffer | undefined;

  constructor(readonly text: string) {}

  get bytes(): Buffer {
    return (this.encoded ??= encodeTextFrame(this.text));
  }
}

/**
 * A final, unmasked, uncompressed text frame (RFC 6455 §5.2): server frames are never masked and
 * perMessageDeflate is off, so the same bytes are valid on every connection. Written straight
 * into one buffer: ws's `Sender.frame` takes the payload as a buffer and returns the header
 * apart, which costs every frame a second copy (a sync page is ~300 KB).
 */
function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headerBytes = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (headerBytes === 2) frame[1] = length;
  else if (headerBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, headerBytes, 'utf8');
  return frame;
}

/**
 * Connections with frames waiting, flushed together in one pass after the turn's I/O: one
 * callback per turn for the whole node rather than one per connection.
 */
class FlushPass {
  private pending: WsConnection[] = [];

  add(connection: WsConnection): void {
    if (this.pending.push(connection) === 1) setImmediate(() => this.run());
  }

  private run(): void {
    const connections = this.pending;
    this.pending = [];
    for (const c of connections) c.flush();
  }
}

const flushPass = new FlushPass();

/** What a connection that never joined, watched or followed anything has: one set for all. */
const NONE: ReadonlySet<string> = new Set();

export interface WsConnectionLimits {
  /** Bytes queued (ours plus the socket's) before the peer counts as a slow consumer. */
  readonly maxBufferedBytes: number;
  /** Told when the peer turns out a slow consumer; the connection lifecycle ends it. */
  readonly onSlowConsumer: (connection: WsConnection) => void;
}

/**
 * One authenticated WebSocket. Frames are queued and written once per event-loop turn as one
 * buffer, so a burst becomes one write syscall instead of one per frame. The queue is bounded:
 * a peer that does not read is closed with 4008 and recovers by syncing.
 */
export class WsConnection implements LiveConnection {
  readonly id = randomUUID();
  /** Conversations the user takes part in (gets notifications when not in the room). */
  readonly conversations = new Set<string>();
  // Made on first use: most connections join no room, watch no queue and have no contacts,
  // and an empty set costs ~180 bytes.
  private joinedRooms: Set<string> | undefined;
  private watchedQueues: Set<string> | undefined;
  private watchedUsers: Set<string> | undefined;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private closed = false;
  alive = true;

  constructor(
    public actor: UserActor,
    private readonly socket: WebSocket,
    private readonly raw: Duplex,
    private readonly limits: WsConnectionLimits,
  ) {}

  get userId(): string {
    return this.actor.user.id;
  }

  /** Conversations whose room this connection joined (gets `new_message`). */
  get rooms(): ReadonlySet<string> {
    return this.joinedRooms ?? NONE;
  }

  /** Support queues the connection watches. */
  get queues(): ReadonlySet<string> {
    return this.watchedQueues ?? NONE;
  }

  /** Users whose presence the connection receives. */
  get watching(): ReadonlySet<string> {
    return this.watchedUsers ?? NONE;
  }

  joinRoom(conversationId: string): void {
    (this.joinedRooms ??= new Set()).add(conversationId);
  }

  leaveRoom(conversationId: string): void {
    this.joinedRooms?.delete(conversationId);
  }

  watchQueue(queue: string): void {
    (this.watchedQueues ??= new Set()).add(queue);
  }

  unwatchQueue(queue: string): void {
    this.watchedQueues?.delete(queue);
  }

  watchUser(userId: string): void {
    (this.watchedUsers ??= new Set()).add(userId);
  }

  unwatchUser(userId: string): void {
    this.watchedUsers?.delete(userId);
  }

  /** What earlier turns wrote that the peer has not read (this turn's queue is not written yet). */
  bufferedBytes(): number {
    return this.isOpen ? this.socket.bufferedAmount : 0;
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === this.socket.OPEN;
  }

  /** Queues a text frame; pass an `OutboundFrame` to share one encoding among recipients. */
  send(frame: string | OutboundFrame): void {
    if (!this.isOpen) return;
    const bytes = (typeof frame === 'string' ? new OutboundFrame(frame) : frame).bytes;
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    // Frames of one turn wait here until the flush; a turn that queues far more than the
    // limit cannot be a reader keeping up.
    if (this.queuedBytes > this.limits.maxBufferedBytes * QUEUE_FACTOR) {
      this.limits.onSlowConsumer(this);
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      flushPass.add(this);
    }
  }

  sendJson(payload: unknown): void {
    this.send(JSON.stringify(payload));
  }

  /** Writes what is queued now (called by the flush pass, or before a close). */
  flush(): void {
    this.scheduled = false;
    if (!this.isOpen || this.queue.length === 0) return;
    // What the socket still holds from earlier turns is what the peer has not read. A single
    // large frame may exceed the limit once; writing more on top of an unread backlog may not.
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.limits.onSlowConsumer(this);
      return;
    }
    const frames = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    // Whole frames go straight to the TCP socket, between ws's own control frames (pings, the
    // close frame), which it also writes whole: framing stays intact.
    this.raw.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  /**
   * Closes with a code. `hard` drops the socket at once (a slow consumer's buffer would delay a
   * polite close indefinitely).
   */
  close(code: number, reason: string, hard = false): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    if (hard) {
      this.socket.close(code, reason);
      setTimeout(() => this.socket.terminate(), 1000).unref();
    } else {
      // Let queued frames (an error frame before an auth close) go out first.
      setImmediate(() => this.socket.close(code, reason));
    }
  }

  /** Protocol-level ping; the peer's pong marks it alive. */
  ping(): void {
    if (this.isOpen) this.socket.ping();
  }

  /** Sends frames queued so far right now, then closes; for errors that end the connection. */
  flushAndClose(code: number, reason: string): void {
    this.flush();
    this.close(code, reason);
  }
}
