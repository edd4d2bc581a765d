import { Type } from 'typebox';
import type { RoutePlugin } from '../rest/route-kit.js';
import { DEMO_PASSWORD, DEMO_USERS } from './demo-users.js';

const DemoUser = Type.Object({ id: Type.String(), email: Type.String(), display_name: Type.String(), roles: Type.Array(Type.String()) });

/**
 * The demo people and their shared password, so the sign-in page can offer one-click sign-in.
 * Registered only when the server started with `--demo`: a real deployment has no such list.
 */
export const demoUserRoutes: RoutePlugin = async (app) => {
  app.get('/v1/demo/users', {
    config: { auth: false },
    schema: {
      tags: ['demo'],
      summary: 'The demo users and their password (only on a `serve --demo` start)',
      response: { 200: Type.Object({ password: Type.String(), users: Type.Array(DemoUser) }) },
    },
    handler: async () => ({
      password: DEMO_PASSWORD,
      users: DEMO_USERS.map((u) => ({ id: u.id, email: u.email, display_name: `${u.firstName} ${u.lastName}`, roles: [...u.roles] })),
    }),
  });
};
