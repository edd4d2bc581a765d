import { ErrorBody, SearchMessagesParams, SearchMessagesResponse } from '@switchboard/protocol';
import { actorOf } from '../rest/authenticate.js';
import { authErrors, type RoutePlugin } from '../rest/route-kit.js';
import { searchInputOf } from './search-params.js';
import { presentSearchPage } from './search.presenters.js';

/** `GET /v1/search/messages` (docs/search.md). */
export const searchRoutes: RoutePlugin = async (app, { services }) => {
  app.get('/v1/search/messages', {
    schema: {
      tags: ['search'],
      summary: 'Messages containing q (3+ characters, found inside words), newest first, in the conversations you may read now',
      querystring: SearchMessagesParams,
      response: { 200: SearchMessagesResponse, 404: ErrorBody, ...authErrors },
    },
    handler: async (request) => presentSearchPage(await services.search.messages(actorOf(request), searchInputOf(request.query))),
  });
};
