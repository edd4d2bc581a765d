// Lets this process import the TypeScript sources: tsx compiles .ts files as they load, and
// @switchboard/* packages resolve with the `development` export condition, which points at their
// sources (plain Node gets their compiled dist/; see packages/protocol/package.json). Imported by
// bin/ when the build is missing or stale, and preloaded with `--import` by bench children that
// run from source.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

register('./source-conditions.js', import.meta.url);
registerTsx();
