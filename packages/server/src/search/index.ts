/** Message search in every script the users write (docs/search.md). */
export { SearchService, type SearchInput, type SearchPage, type SearchResult } from './search.service.js';
export { searchRoutes } from './search.routes.js';
export { presentSearchPage } from './search.presenters.js';
export { searchInputOf } from './search-params.js';
export { normaliseForSearch, foldForSearch } from './search-text.js';
export { snippet } from './snippet.js';
