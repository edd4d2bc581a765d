import { createHash } from 'node:crypto';

/**
 * The `Topic` of a conversation's pushes: a push service keeps only the newest pending push of a
 * topic, so a phone that was offline wakes to one notice per conversation. Topics are at most
 * 32 URL-safe base64 characters, which a conversation id need not be; a digest always is.
 */
export function pushTopic(conversationId: string): string {
  return createHash('sha256').update(conversationId).digest('base64url').slice(0, 32);
}
