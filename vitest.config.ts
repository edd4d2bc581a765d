import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // Tests that start and SIGKILL server processes take several times longer while two other
    // files run beside them on a 2-core machine; a generous bound keeps them from flaking.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // expect.poll gives up after 1 s by default; a browser page that loads its bundle and its
    // history while two other suites run beside it needs longer (tests still end at the first match).
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // Most suites wait on sockets, child processes and fsync rather than compute, so a 2-core
    // machine runs three files at once faster than vitest's default of cores - 1.
    maxWorkers: 3,
    // Files in a worker share one module graph instead of loading the server anew for each
    // (that load was ~40 % of the suite's time). Tests keep no state in modules: every file
    // starts its own servers and stores, and none mocks modules or changes the environment.
    isolate: false,
    reporters: ['default'],
  },
});
