/**
 * The URL of an external service a test needs, from the environment. When it is absent the test
 * is skipped with a loud message, unless `REQUIRE_SERVICES=1` (CI), where absence fails.
 */
export function requiredService(variable: string, what: string): string | undefined {
  const url = process.env[variable];
  if (url) return url;
  const message = `${what} is not configured (${variable} is unset)`;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${message}, and REQUIRE_SERVICES=1 demands it`);
  console.warn(`\n\n  !!! SKIPPING ${what} tests: ${message} !!!\n`);
  return undefined;
}
