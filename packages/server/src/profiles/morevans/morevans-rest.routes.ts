import { useErrorShape } from '../../rest/error-shape.js';
import type { RoutePlugin } from '../../rest/route-kit.js';
import { morevansErrorShape } from './morevans-error-shape.js';
import { morevansMessageRoutes } from './morevans-messages.routes.js';
import { morevansRoomRoutes } from './morevans-rooms.routes.js';

/** MoreVans' REST surface under `/api/v1/` (not the original's doubled prefix), in its error shape. */
export const morevansRestRoutes: RoutePlugin = async (app, options) => {
  useErrorShape(app, morevansErrorShape);
  await morevansRoomRoutes(app, options);
  await morevansMessageRoutes(app, options);
};
