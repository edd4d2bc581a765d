import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The bench runs compiled (dist/bench/*.js, from `npm install` or `npm run build`) or from its
 * sources through tsx (bin/bench.js decides). Paths out of bench/ differ by one level between the
 * two, and processes it starts run the same way it does.
 */
export const COMPILED = import.meta.url.endsWith('.js');

/** packages/server/ */
export const PACKAGE_DIR = fileURLToPath(new URL(COMPILED ? '../../' : '../', import.meta.url));

const REGISTER_SOURCES = pathToFileURL(join(PACKAGE_DIR, 'bin', 'register-sources.js')).href;

/**
 * How to start the bench module `path` (relative to bench/, no extension) as a process of its
 * own: the compiled .js, or the .ts with tsx preloaded.
 */
export function benchProcess(path: string): { readonly entry: string; readonly execArgv: readonly string[] } {
  return COMPILED
    ? { entry: fileURLToPath(new URL(`./${path}.js`, import.meta.url)), execArgv: [] }
    : { entry: fileURLToPath(new URL(`./${path}.ts`, import.meta.url)), execArgv: ['--import', REGISTER_SOURCES] };
}
