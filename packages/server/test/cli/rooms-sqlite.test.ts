import { describeRoomLifecycle } from './room-lifecycle.js';

// The embedded default: a data directory and nothing else, as `npm start` runs.
describeRoomLifecycle({ name: 'sqlite', rooms: 10_000, env: () => ({}) });
