import { describeRoomLifecycle } from './room-lifecycle.js';
import { postgresTarget } from './postgres-target.js';

// The embedded default: a data directory and nothing else, as `npm start` runs.
describeRoomLifecycle({ name: 'sqlite', rooms: 10_000, env: () => ({}) });

// PostgreSQL and Redis, as several nodes run.
const postgres = postgresTarget();
if (postgres) describeRoomLifecycle(postgres);
