/** Analytics: the instance's figures over a range, for administrators (docs/analytics.md). */
export { AnalyticsService } from './analytics.service.js';
export { resolveRange, MAX_RANGE_DAYS, DEFAULT_RANGE_DAYS, type AnalyticsInput } from './analytics-range.js';
export { analyticsRoutes } from './analytics.routes.js';
export { toCsv } from './summary-csv.js';
export { toTable } from './summary-table.js';
export { summaryRows, type SummaryRow } from './summary-rows.js';
