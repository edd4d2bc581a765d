import type { MembershipEvent, PresenceEvent, ServerFrame } from './types.js';

/** A native `presence` frame as the SDK's event. */
export function presenceOf(frame: ServerFrame): PresenceEvent {
  return { userId: String(frame.user_id), status: frame.status === 'online' ? 'online' : 'offline', lastSeenAt: typeof frame.last_seen_at === 'string' ? frame.last_seen_at : null };
}

/** A `conversation_added`/`conversation_removed` frame as the SDK's event. */
export function membershipOf(frame: ServerFrame, conversationId: string): MembershipEvent {
  return { conversationId, by: typeof frame.by === 'string' ? frame.by : null };
}
