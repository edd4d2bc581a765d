import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { UserActor } from '../../core/actor.js';
import { WsConnection, type WsConnectionLimits } from '../../realtime/ws/ws-connection.js';

/**
 * A MoreVans socket: a room's (`/ws/chat/{room}/`, `room` set) or the user's notifications
 * (`/ws/notifications/`, `room` undefined).
 */
export class MorevansConnection extends WsConnection {
  constructor(
    actor: UserActor,
    socket: WebSocket,
    raw: Duplex,
    limits: WsConnectionLimits,
    readonly room: string | undefined,
  ) {
    super(actor, socket, raw, limits);
  }
}
