/**
 * The nearest-rank percentile of ascending `sorted` values: the value at rank ⌈p·n⌉ (1-based),
 * or null for an empty set. The same definition the store uses in SQL, so every percentile in
 * a summary means one thing. `p` is a fraction, 0 < p ≤ 1.
 * @example nearestRank([10, 20, 30, 40], 0.5) // 20
 */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
}
