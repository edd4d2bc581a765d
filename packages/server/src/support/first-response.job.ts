import type { MessageJob } from '../jobs/message-job.js';
import type { Store } from '../storage/store.js';

/**
 * The first-response SLA stamp: a message in a support conversation from anyone but the
 * customer who opened it stamps the case's `first_response_at` with the message's time. A
 * job rather than work after the commit, so a failure or a crash cannot lose the stamp, and a
 * retried send cannot skip it. Idempotent: the stamp keeps the earliest time it was given.
 */
export function firstResponseJob(store: Pick<Store, 'messages' | 'cases'>): MessageJob {
  return {
    kind: 'support.first_response',
    needs: (conversation, message) => conversation.type === 'support' && message.senderId !== conversation.createdBy,
    async handle(job) {
      const message = await store.messages.byId(job.subjectId);
      // Gone with its conversation: there is no case left to stamp.
      if (!message) return;
      await store.cases.recordFirstResponse(message.conversationId, message.createdAt);
    },
  };
}
