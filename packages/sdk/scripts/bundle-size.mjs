// The SDK's browser bundle, as an app's bundler would make it: the browser entry, minified ESM,
// everything it imports inlined. Prints raw, minified and gzip sizes.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const result = await build({
  entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  metafile: true,
});
const code = result.outputFiles[0].contents;
const inputs = Object.entries(result.metafile.inputs).map(([path, { bytes }]) => ({ path, bytes }));
const external = inputs.filter((i) => i.path.includes('node_modules'));
console.log(`@switchboard/sdk browser bundle: ${inputs.reduce((n, i) => n + i.bytes, 0)} B source, ${code.byteLength} B minified, ${gzipSync(code, { level: 9 }).byteLength} B gzip`);
console.log(external.length === 0 ? 'third-party code in the bundle: none' : `third-party code in the bundle: ${external.map((i) => i.path).join(', ')}`);
