import type { Profile } from '../profile.js';
import { SioGateway } from './sio-gateway.js';
import { supportDeskRestRoutes } from './support-desk-rest.routes.js';

/** The restaurant support desk: REST under `/api/v1/chat` and Socket.IO on the default path. */
export const supportDeskProfile: Profile = {
  name: 'support-desk',
  routes: supportDeskRestRoutes,
  gateways: ({ services, server, upgrades, metrics }) => [new SioGateway(services, server, upgrades, metrics)],
};
