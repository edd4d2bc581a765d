import type { Message, Participant } from '../core/model.js';

/** How far a message got with the people it was sent to. */
export type DeliveryStatus = 'sent' | 'delivered' | 'read';

/**
 * A message's status, derived from the other current participants' pointers (receipts are
 * pointers, so nothing per message is stored): `read` when every other participant's read
 * pointer reached it, `delivered` when every other got it (a read counts as delivered), else
 * `sent`. A message with nobody else in the conversation stays `sent`.
 */
export function deliveryStatus(message: Pick<Message, 'seq' | 'senderId'>, participants: readonly Participant[]): DeliveryStatus {
  const others = participants.filter((p) => p.leftAt === null && p.userId !== message.senderId);
  if (others.length === 0) return 'sent';
  if (others.every((p) => p.lastReadSeq >= message.seq)) return 'read';
  if (others.every((p) => Math.max(p.lastDeliveredSeq, p.lastReadSeq) >= message.seq)) return 'delivered';
  return 'sent';
}
