import type { SteppergoMessageType } from '@switchboard/protocol';
import type { Message, Participant, User } from '../../core/model.js';
import { deliveryStatus } from '../../messages/delivery-status.js';

/** StepperGO's JSON: users and messages as its clients read them, with `seq` added. */

const TYPES: Record<string, SteppergoMessageType> = { text: 'TEXT', image: 'IMAGE', file: 'FILE', location: 'LOCATION', system: 'SYSTEM' };

/** A stored kind as StepperGO names it; kinds it has no word for (written by other protocols) read as `TEXT`. */
export const tripMessageType = (kind: string): SteppergoMessageType => TYPES[kind] ?? 'TEXT';

/** The sender as a message shows them: their role in the trip (driver, organizer, passenger). */
export interface TripSender {
  readonly user: Pick<User, 'id' | 'displayName' | 'profile' | 'roles'> | undefined;
  readonly role: string | null;
}

export function tripUser(u: Pick<User, 'id' | 'email' | 'displayName' | 'firstName' | 'lastName' | 'roles' | 'profile'>) {
  return { id: u.id, email: u.email, name: u.displayName, firstName: u.firstName, lastName: u.lastName, role: u.roles[0] ?? null, avatar: avatarOf(u) };
}

/**
 * The Message JSON. `status` comes from the other participants' pointers (`deliveryStatus`);
 * pointers carry no time, so `deliveredAt` and `readAt` are null. `participants` absent: a
 * message just sent, which nobody else has got yet (`SENT`).
 */
export function tripMessage(m: Message, sender: TripSender, participants?: readonly Participant[]) {
  const status = participants === undefined ? 'sent' : deliveryStatus(m, participants);
  return {
    id: m.id,
    conversationId: m.conversationId,
    senderId: m.senderId,
    content: m.content,
    type: tripMessageType(m.kind),
    metadata: m.metadata,
    status: status.toUpperCase() as 'SENT' | 'DELIVERED' | 'READ',
    isReported: m.reported,
    isHidden: m.hidden,
    sentAt: m.createdAt,
    deliveredAt: null,
    readAt: null,
    editedAt: m.editedAt,
    seq: m.seq,
    sender: m.senderId === null ? null : { id: m.senderId, name: sender.user?.displayName ?? m.senderId, avatar: sender.user ? avatarOf(sender.user) : null, role: sender.role ?? sender.user?.roles[0] ?? null },
  };
}

function avatarOf(u: Pick<User, 'profile'>): string | null {
  const avatar = u.profile.avatar ?? u.profile.avatar_url;
  return typeof avatar === 'string' ? avatar : null;
}
