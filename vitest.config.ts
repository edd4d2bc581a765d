import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most suites wait on sockets, child processes and fsync rather than compute, so a 2-core
    // machine runs three files at once faster than vitest's default of cores - 1.
    maxWorkers: 3,
    reporters: ['default'],
  },
});
