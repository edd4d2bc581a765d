import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A throwaway PostgreSQL database: its name and a URL that points at it. */
export interface ScratchPostgres {
  readonly name: string;
  readonly url: string;
}

/** Creates `<prefix>_<pid>_<random>` through the admin URL (e.g. the `test` database). */
export async function createScratchPostgres(adminUrl: string, prefix: string): Promise<ScratchPostgres> {
  const name = `${prefix}_${process.pid}_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/** Drops it, ending any connection still open to it. */
export function dropScratchPostgres(adminUrl: string, name: string): Promise<void> {
  return adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** One statement on the admin database over a short-lived connection. */
async function adminQuery(connectionString: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
