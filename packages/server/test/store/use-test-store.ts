import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { AppError, type ErrorCode } from '../../src/core/errors.js';
import type { Store } from '../../src/storage/store.js';
import { openTestStore, type DialectName, type TestStore } from '../support/test-stores.js';

export interface StoreHandle {
  /** The store of the running test, empty when the test starts. */
  readonly store: Store;
  /** Another store on the same database, as a second node would open it; closed after the test. */
  openPeer(): Promise<Store>;
  /** Counts a table's rows directly, to see what a failed call left behind. */
  countRows: TestStore['countRows'];
}

/**
 * Gives the enclosing `describe` its own database of the dialect, emptied before every test: as
 * isolated as a database per test, without paying for one each time.
 */
export function useTestStore(dialect: DialectName): StoreHandle {
  let current: TestStore | undefined;
  beforeAll(async () => {
    current = await openTestStore(dialect);
  });
  afterAll(async () => {
    await current?.cleanup();
    current = undefined;
  });
  beforeEach(() => running().reset());
  afterEach(() => running().closePeers());
  const running = (): TestStore => {
    if (!current) throw new Error('the store is only open inside the describe block that asked for it');
    return current;
  };
  return {
    get store() {
      return running().store;
    },
    openPeer: () => running().openPeer(),
    countRows: (table) => running().countRows(table),
  };
}

/** Asserts that the promise rejects with an AppError of the code. */
export async function expectAppError(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected AppError '${code}'`).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

/** Waits until the clock has moved on, so the next write gets a strictly later timestamp. */
export async function nextInstant(): Promise<void> {
  const start = new Date().toISOString();
  while (new Date().toISOString() === start) await new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * Opens the store's connections ahead of a race, so concurrent calls really overlap instead of
 * each waiting for a fresh connection while the previous call finishes.
 */
export async function warmUp(store: Store, connections = 10): Promise<void> {
  await Promise.all(range(1, connections).map(() => store.ping()));
}

/** `[from, from + 1, …, to]`. */
export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
