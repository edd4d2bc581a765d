import { accessSync, constants } from 'node:fs';

/**
 * The path of an executable a test needs. When it is missing the test is skipped with a loud
 * message, unless `REQUIRE_SERVICES=1` (CI), where its absence fails the run, as with
 * `requiredService` for PostgreSQL and Redis.
 */
export function requiredBinary(path: string, what: string, install: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    const message = `${what} is not installed (${path} is missing; ${install})`;
    if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${message}, and REQUIRE_SERVICES=1 demands it`);
    console.warn(`\n\n  !!! SKIPPING ${what} tests: ${message} !!!\n`);
    return undefined;
  }
}
