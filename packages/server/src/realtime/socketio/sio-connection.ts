import type { Socket } from 'socket.io';
import type { UserActor } from '../../core/actor.js';
import type { LiveConnection } from '../connection-lifecycle.js';

/** The parts of Engine.IO's socket that tell how much output waits for the peer. */
interface EngineSocketLike {
  readonly writeBuffer: readonly { readonly data?: unknown }[];
  readonly transport: { readonly name: string; readonly socket?: { readonly bufferedAmount?: number; terminate?(): void } };
  close(discard?: boolean): void;
}

/**
 * Drops an Engine.IO connection at once, discarding what is queued: a polite close would wait
 * for the buffer to drain, and a peer that never answers the WebSocket close is not waited for.
 */
export function dropEngineConnection(engine: { readonly transport: { readonly socket?: { terminate?(): void } }; close(discard?: boolean): void }): void {
  const ws = engine.transport.socket;
  engine.close(true);
  if (ws?.terminate) setTimeout(() => ws.terminate?.(), 1000).unref();
}

const sizeOf = (data: unknown) => (typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 0);

/** One Socket.IO socket (any profile's), as the connection lifecycle sees it. */
export class SioConnection implements LiveConnection {
  readonly conversations = new Set<string>();
  /** Engine.IO answers its own pings and drops a silent peer, so the lifecycle never has to. */
  alive = true;

  constructor(
    readonly socket: Socket,
    public actor: UserActor,
  ) {}

  get id(): string {
    return this.socket.id;
  }

  private get engine(): EngineSocketLike {
    return this.socket.conn as unknown as EngineSocketLike;
  }

  /**
   * Packets Engine.IO holds for the peer (it buffers while the transport is busy writing) plus
   * what the WebSocket has not flushed to the network.
   */
  bufferedBytes(): number {
    const { writeBuffer, transport } = this.engine;
    let bytes = transport.socket?.bufferedAmount ?? 0;
    for (const packet of writeBuffer) bytes += sizeOf(packet.data);
    return bytes;
  }

  /** Drops the connection now: a stalled peer never lets its buffer drain for a polite close. */
  drop(): void {
    dropEngineConnection(this.engine);
  }
}
