import type { Store } from '../storage/store.js';

/** The MoreVans demo request: `POST /api/v1/chat-rooms/create_or_get/ {"related_model":"request","related_id":"R-2001"}`. */
export const DEMO_REQUEST_ID = 'R-2001';

/**
 * Registers the demo request's room as the host app would (`PUT /v1/conversations/by-context/
 * request/R-2001`): mvcustomer1, who asked for the move, and provider1, who bid on it. Run with
 * the demo users, into an empty database only.
 */
export async function seedDemoRequest(store: Store): Promise<void> {
  if (await store.conversations.byContext({ type: 'request', id: DEMO_REQUEST_ID })) return;
  await store.conversations.create({
    type: 'request',
    context: { type: 'request', id: DEMO_REQUEST_ID },
    title: 'Request R-2001: 2-bedroom flat, Leeds → York',
    metadata: { is_private: true },
    createdBy: null,
    participants: [
      { userId: 'mvcustomer1', role: 'customer' },
      { userId: 'provider1', role: 'provider' },
    ],
  });
}
