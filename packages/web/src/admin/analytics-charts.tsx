import type { AnalyticsSummaryJson } from '@switchboard/protocol';
import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/api-client.js';
import { useApi } from '../api/api-provider.js';
import { formatDuration } from '../i18n/format-duration.js';
import { useT, type Translate } from '../i18n/i18n-provider.js';
import { BarChart, type Bar } from './bar-chart.js';

/** Messages per day bucket, every type and sender role added up. */
function perDay(summary: AnalyticsSummaryJson): Bar[] {
  const totals = new Map<string, number>();
  for (const row of summary.messages.series) totals.set(row.bucket, (totals.get(row.bucket) ?? 0) + row.count);
  return [...totals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([bucket, count]) => ({ label: bucket.slice(0, 10), value: count, text: String(count) }));
}

function durationBars(t: Translate, label: string, stats: { p50_ms: number | null; p90_ms: number | null }): Bar[] {
  return [
    ...(stats.p50_ms !== null ? [{ label: `${label} p50`, value: stats.p50_ms, text: formatDuration(t, stats.p50_ms) }] : []),
    ...(stats.p90_ms !== null ? [{ label: `${label} p90`, value: stats.p90_ms, text: formatDuration(t, stats.p90_ms) }] : []),
  ];
}

/** The last 30 days from `GET /v1/analytics/summary`, as four small charts. */
export function AnalyticsCharts() {
  const t = useT();
  const api = useApi();
  const summary = useQuery({ queryKey: ['analytics'], queryFn: () => api.get<AnalyticsSummaryJson>('/v1/analytics/summary', { group_by: 'day' }), retry: false });
  if (summary.error) return <p role="status">{summary.error instanceof ApiError && summary.error.status === 403 ? t('admin.analyticsForbidden') : t('common.error', { message: summary.error.message })}</p>;
  if (!summary.data) return <p>{t('common.loading')}</p>;
  const s = summary.data;
  const { overall } = s.support;
  return (
    <div className="analytics">
      <p>{t('admin.range')}</p>
      <BarChart title={t('admin.messagesPerDay')} bars={perDay(s)} empty={t('admin.noData')} />
      <BarChart title={t('admin.roomTypes')} bars={s.rooms.by_type.map((r) => ({ label: r.type, value: r.total, text: String(r.total) }))} empty={t('admin.noData')} />
      <BarChart
        title={t('admin.responseTimes')}
        bars={[...durationBars(t, t('admin.firstResponse'), overall.first_response), ...durationBars(t, t('admin.resolution'), overall.resolution)]}
        empty={t('admin.noData')}
      />
      <figure className="chart">
        <figcaption>{t('admin.csat')}</figcaption>
        {overall.csat.average !== null ? (
          <CsatMeter average={overall.csat.average} text={t('admin.csatAverage', { score: overall.csat.average.toFixed(2), count: overall.csat.count })} />
        ) : (
          <p>{t('admin.csatNone')}</p>
        )}
      </figure>
    </div>
  );
}

/** The average rating on a 1–5 scale as one bar. */
function CsatMeter({ average, text }: { average: number; text: string }) {
  return (
    <>
      <svg viewBox="0 0 520 24" width="100%" aria-hidden="true">
        <rect x={0} y={4} width={500} height={16} className="chart-track" rx={3} />
        <rect x={0} y={4} width={(average / 5) * 500} height={16} className="chart-bar" rx={3} />
      </svg>
      <p>{text}</p>
    </>
  );
}
