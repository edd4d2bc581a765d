// How the commands in bin/ run one of this package's TypeScript entry points.
//
// `npm install` compiles the server, the bench and @switchboard/protocol with tsc into their dist/
// folders (`npm run build` does it again). The compiled JavaScript runs when the build is current:
// it exists, and no file it is made from (src/, bench/, ../protocol/src/, their tsconfig files)
// was modified after the build finished. Otherwise, after a one-line note on stderr, the sources
// run through tsx, which compiles each module as it loads: slower to start, never stale.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const PROTOCOL_DIR = join(PACKAGE_DIR, '..', 'protocol');
const DIST_DIR = join(PACKAGE_DIR, 'dist');
/** Written last by `tsc -b` (also when it only refreshes timestamps): when the build finished. */
const BUILD_INFO = join(DIST_DIR, 'tsconfig.build.tsbuildinfo');

const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json'].flatMap((name) => [join(PACKAGE_DIR, name), join(PROTOCOL_DIR, name)]);

/** Why the build of `entry` cannot be used, or undefined when it is current. */
export function staleBuildReason(entry) {
  // The server is made of src/ and the protocol; the bench also of bench/.
  const sourceDirs = [join(PACKAGE_DIR, 'src'), join(PROTOCOL_DIR, 'src'), ...(entry.startsWith('bench/') ? [join(PACKAGE_DIR, 'bench')] : [])];
  let builtAt;
  try {
    builtAt = statSync(BUILD_INFO).mtimeMs;
  } catch {
    return 'no build in packages/server/dist';
  }
  const changed = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs > builtAt;
  const shown = (file) => relative(join(PACKAGE_DIR, '..', '..'), file);
  for (const file of CONFIG_FILES) if (changed(file)) return `${shown(file)} changed after the build`;
  for (const dir of sourceDirs) {
    const file = firstChanged(dir, changed);
    if (file) return `${shown(file)} changed after the build`;
  }
  return undefined;
}

/** The first .ts file under `dir` for which `changed` holds. (A walk: Node 20's recursive readdir is ~10× slower.) */
function firstChanged(dir, changed) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = firstChanged(path, changed);
      if (found) return found;
    } else if (entry.name.endsWith('.ts') && changed(path)) {
      return path;
    }
  }
  return undefined;
}

/**
 * Runs `<entry>.ts` of this package (`src/main`, `bench/main`): its compiled `dist/<entry>.js`
 * when the build is current, else the source through tsx. `command` names it in the note.
 */
export async function runEntry(entry, command) {
  const stale = staleBuildReason(entry);
  if (stale === undefined) {
    await import(pathToFileURL(join(DIST_DIR, `${entry}.js`)).href);
    return;
  }
  process.stderr.write(`${command}: running the TypeScript sources through tsx (${stale}; \`npm run build\` compiles them)\n`);
  await import('./register-sources.js');
  await import(pathToFileURL(join(PACKAGE_DIR, `${entry}.ts`)).href);
}
