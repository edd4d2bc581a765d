import type { Kysely } from 'kysely';
import type { Database } from './database.js';

/**
 * What differs between the databases, kept behind one seam. The repositories are written once
 * against Kysely and ask the adapter only these questions.
 */
export interface DialectAdapter {
  /** A short name for logs and metrics. */
  readonly name: string;
  /** The query builder, connected. */
  readonly db: Kysely<Database>;
  /** True when the error is a unique-constraint violation (a lost race, a taken key). */
  isUniqueViolation(error: unknown): boolean;
  /** True when the error means the database could not be reached, so the call may be retried. */
  isUnavailable(error: unknown): boolean;
}
