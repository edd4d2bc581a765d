import type { Bus } from '../bus/bus.js';
import { topics } from '../bus/domain-event.js';

/**
 * Announces a new participant to the conversation, and to the participant's own connections,
 * which are not subscribed to it yet and start following it on hearing this.
 */
export async function publishParticipantAdded(bus: Pick<Bus, 'publish'>, conversationId: string, userId: string, by: string | null): Promise<void> {
  const event = { type: 'participant.added', conversationId, userId, by } as const;
  await bus.publish(topics.conversation(conversationId), event);
  await bus.publish(topics.user(userId), event);
}
