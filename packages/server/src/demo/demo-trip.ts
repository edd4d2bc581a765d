import type { Store } from '../storage/store.js';

/** The StepperGO demo trip: `join:conversation {"tripId":"T-1001"}` as any of its three people. */
export const DEMO_TRIP_ID = 'T-1001';

/**
 * Registers the demo trip's people as the host app would (`PUT /v1/conversations/by-context/
 * trip/T-1001`): tripdriver1 as its driver, organizer1 as its organizer, passenger1 with a
 * confirmed booking. Run with the demo users, into an empty database only.
 */
export async function seedDemoTrip(store: Store): Promise<void> {
  if (await store.conversations.byContext({ type: 'trip', id: DEMO_TRIP_ID })) return;
  await store.conversations.create({
    type: 'trip',
    context: { type: 'trip', id: DEMO_TRIP_ID },
    title: 'Almaty → Bishkek, 09:00',
    metadata: {},
    createdBy: null,
    participants: [
      { userId: 'tripdriver1', role: 'driver' },
      { userId: 'organizer1', role: 'organizer' },
      { userId: 'passenger1', role: 'passenger' },
    ],
  });
}
