import type { Profile } from '../profile.js';
import { MorevansGateway } from './morevans-gateway.js';
import { morevansRestRoutes } from './morevans-rest.routes.js';

/** MoreVans' chat: REST under `/api/v1/chat-rooms/`, `/api/v1/chat-messages/`, and its per-room and notifications sockets. */
export const morevansProfile: Profile = {
  name: 'morevans',
  routes: morevansRestRoutes,
  gateways: ({ services, upgrades, metrics }) => [new MorevansGateway(services, upgrades, metrics)],
};
