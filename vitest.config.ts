import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // This checkout's own protocol sources, even where node_modules is shared with another
  // checkout of the repository (a git worktree), whose workspace link points at its own copy.
  resolve: { alias: { '@switchboard/protocol': fileURLToPath(new URL('./packages/protocol/src/index.ts', import.meta.url)) } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
