import type { Profile } from '../profile.js';
import { guzosyncRestRoutes } from './guzosync-rest.routes.js';

/**
 * GuzoSync's REST surface. Its WebSocket events are the native protocol itself
 * (`gateways/native-ws`), which every deployment serves.
 */
export const guzosyncProfile: Profile = { name: 'guzosync', routes: guzosyncRestRoutes };
