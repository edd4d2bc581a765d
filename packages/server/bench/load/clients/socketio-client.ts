import { io, type Socket } from 'socket.io-client';
import { peerPayload } from '../payload.js';
import type { BenchClient, ClientEvents, ConnectOptions } from './types.js';

/**
 * A Socket.IO client of the bench's plain relay (bench/peers/socketio-relay.ts): WebSocket
 * transport only, `join` with an ack, `msg` relayed to the room but not the sender; with
 * `wantAck` the relay's ack callback is the acknowledgement (it persists nothing).
 */
export class SocketIoBenchClient implements BenchClient {
  private closing = false;

  private constructor(
    private readonly socket: Socket,
    private readonly events: ClientEvents,
  ) {
    socket.on('msg', (payload: string) => events.delivery(payload));
    socket.on('disconnect', (reason) => {
      if (!this.closing) events.closed(`socket.io disconnect: ${reason}`);
    });
  }

  static connect(options: ConnectOptions, events: ClientEvents): Promise<SocketIoBenchClient> {
    return new Promise((resolve, reject) => {
      const socket = io(options.endpoint, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: options.timeoutMs });
      socket.once('connect', () => {
        socket.off('connect_error');
        resolve(new SocketIoBenchClient(socket, events));
      });
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  async join(room: string): Promise<void> {
    await this.socket.timeout(15_000).emitWithAck('join', room);
  }

  send(room: string, member: number, n: number, sentAtMs: number, wantAck: boolean): void {
    const payload = peerPayload(member, n, sentAtMs);
    if (wantAck) this.socket.emit('msg', room, payload, () => this.events.ack(n, true));
    else this.socket.emit('msg', room, payload);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.socket.close();
  }
}
