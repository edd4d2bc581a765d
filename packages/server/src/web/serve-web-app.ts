import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Where `npm install` (the root `postinstall`) puts the built web app: packages/web/dist, seen
 * from src/web/ or from the compiled dist/src/web/.
 */
export const WEB_APP_DIR = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../../../../web/dist/' : '../../../web/dist/', import.meta.url));

/**
 * The client-side routes of the web app: each answers index.html and the app's router takes
 * over. Listed rather than caught with `/*` so that an unknown API path keeps its JSON 404.
 */
export const CLIENT_ROUTES = ['/', '/login', '/c/*', '/console', '/console/*', '/admin', '/admin/*'] as const;

/**
 * Serves the built web app beside the API: hashed assets cached for a year, index.html never
 * (so a new build is picked up on the next load), and `/widget.js` for host pages.
 */
export async function serveWebApp(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? WEB_APP_DIR;
  // Registered inside this plugin's scope only: the app and its assets are public, like a login page.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, auth: false };
  });
  if (!existsSync(`${root}index.html`)) {
    app.log.warn({ root }, 'the web app is not built: run `npm run build:web` (npm install does it)');
    for (const url of CLIENT_ROUTES) {
      app.get(url, { schema: { hide: true } }, async (_request, reply) =>
        reply.status(503).type('text/plain; charset=utf-8').send('The Switchboard web app is not built. Run `npm run build:web`, then reload.'),
      );
    }
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    // Files are listed once at start: only they are routes, so everything else falls through.
    wildcard: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const page = (_request: unknown, reply: FastifyReply) => reply.sendFile('index.html');
  for (const url of CLIENT_ROUTES) app.get(url, { schema: { hide: true } }, page);
}
