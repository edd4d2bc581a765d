import type { Message, Participant, User } from '../../core/model.js';
import type { Directory } from '../../edge-services.js';
import { tripMessage } from './steppergo-shapes.js';

/**
 * Renders messages of one conversation as StepperGO's Message JSON: one read of the
 * participants (their trip roles and pointers) and one of the senders, however many messages.
 */
export async function renderTripMessages(directory: Directory, conversationId: string, messages: readonly Message[], withStatus = true) {
  const participants = await directory.conversations.participants(conversationId);
  const senders = new Set(messages.flatMap((m) => (m.senderId === null ? [] : [m.senderId])));
  const users = new Map((await directory.users.byIds([...senders])).map((u) => [u.id, u]));
  const roles = new Map(participants.map((p) => [p.userId, p.role]));
  return messages.map((m) => tripMessage(m, senderOf(m, users, roles), withStatus ? participants : undefined));
}

function senderOf(m: Message, users: ReadonlyMap<string, User>, roles: ReadonlyMap<string, Participant['role']>) {
  return { user: m.senderId === null ? undefined : users.get(m.senderId), role: m.senderId === null ? null : (roles.get(m.senderId) ?? null) };
}
