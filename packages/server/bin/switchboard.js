#!/usr/bin/env node
// The `switchboard` command: runs the compiled server (dist/src/main.js) when the build is
// current, else src/main.ts through tsx (see compiled-entry.js).
import { runEntry } from './compiled-entry.js';

await runEntry('src/main', 'switchboard');
