import type { CaseStatus } from '../storage/store.js';

/**
 * Every status change a case may make, in one table: `waiting → active → resolved → closed`,
 * reopen from resolved, close from anywhere open.
 */
export const TRANSITIONS = {
  accept: { from: ['waiting'], to: 'active' },
  assign: { from: ['waiting', 'active'], to: 'active' },
  resolve: { from: ['active'], to: 'resolved' },
  close: { from: ['waiting', 'active', 'resolved'], to: 'closed' },
  reopen: { from: ['resolved'], to: 'active' },
} as const satisfies Record<string, { from: readonly CaseStatus[]; to: CaseStatus }>;

export type CaseAction = keyof typeof TRANSITIONS;

/** The action that moves a case to the requested status, as status-setting APIs express it. */
export function actionFor(target: CaseStatus): CaseAction | undefined {
  switch (target) {
    case 'resolved':
      return 'resolve';
    case 'closed':
      return 'close';
    case 'active':
      return 'reopen';
    default:
      return undefined;
  }
}
