// ws exports its frame encoder (`Sender`, also `WebSocket.Sender`) but @types/ws does not declare
// it. Only the static encoder is used: it builds an unmasked frame without touching any socket.
import 'ws';

declare module 'ws' {
  export interface FrameOptions {
    readonly fin: boolean;
    readonly rsv1: boolean;
    readonly opcode: number;
    readonly mask: boolean;
    readonly readOnly: boolean;
  }
  export class Sender {
    /** Header and payload of one frame, as one or two buffers. */
    static frame(data: Buffer, options: FrameOptions): Buffer[];
  }
}
