import type { Server } from 'socket.io';
import type { UserActor } from '../../core/actor.js';

/**
 * This node's sockets of a room an event may reach: the whole room, or only the sockets in it of
 * the users it is meant for (`onlyTo`: a shadowed message and its edits). Every socket is in the
 * room of its own id, so those are addressed by id.
 */
export function roomAudience(io: Server, room: string, onlyTo: readonly string[] | undefined) {
  if (onlyTo === undefined) return io.local.to(room);
  const namespace = io.of('/');
  const ids = [...(namespace.adapter.rooms.get(room) ?? [])].filter((id) => {
    const actor = namespace.sockets.get(id)?.data.actor as UserActor | undefined;
    return actor !== undefined && onlyTo.includes(actor.user.id);
  });
  // An empty list would address every socket: send to a room nobody is in instead.
  return io.local.to(ids.length > 0 ? ids : [`none:${room}`]);
}
