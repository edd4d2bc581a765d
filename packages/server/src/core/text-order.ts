/**
 * Plain code-unit order for sorting names. Database collations differ (PostgreSQL's may ignore
 * punctuation and case), so anything reported alike on every dialect is sorted with this.
 */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
