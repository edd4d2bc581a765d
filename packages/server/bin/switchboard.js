#!/usr/bin/env node
// Runs the TypeScript entry point directly; tsx compiles on load.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
