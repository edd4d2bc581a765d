import type { Profile } from '../profile.js';
import { SteppergoGateway } from './steppergo-gateway.js';
import { steppergoRestRoutes } from './steppergo-rest.routes.js';

/** StepperGO's trip chat: session login and messages under `/api`, Socket.IO at `/api/socket`. */
export const steppergoProfile: Profile = {
  name: 'steppergo',
  routes: steppergoRestRoutes,
  gateways: ({ services, server, upgrades, metrics }) => [new SteppergoGateway(services, server, upgrades, metrics)],
};
