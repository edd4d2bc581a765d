import type { AnalyticsGroupBy, AnalyticsSummaryJson } from '@switchboard/protocol';
import type { Actor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import { byText } from '../core/text-order.js';
import type { Policy } from '../policy/policy.js';
import type { DailyMessageCount, Store } from '../storage/store.js';
import { resolveRange, type AnalyticsInput } from './analytics-range.js';
import { supportFigures } from './support-figures.js';
import { timeBucket } from './time-bucket.js';

/**
 * Reports over the whole instance (docs/analytics.md). Only instance administrators may ask:
 * holders of `users.manage`, and API keys (the CLI acts as one). The figures cross every
 * conversation type and queue, so a profile's own admin (`messages.moderate` in one system)
 * is refused rather than shown the other systems' numbers.
 */
export class AnalyticsService {
  constructor(
    private readonly store: Pick<Store, 'analytics'>,
    private readonly policy: Pick<Policy, 'can'>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The summary of a range; throws `forbidden` for anyone else, `validation_failed` for a bad range. */
  async summary(actor: Actor, input: AnalyticsInput): Promise<AnalyticsSummaryJson> {
    const subject = actor.kind === 'service' ? actor : { kind: 'user' as const, roles: actor.user.roles };
    if (!this.policy.can(subject, 'users.manage')) throw new AppError('forbidden', 'Only administrators may read analytics');
    const { scope, groupBy } = resolveRange(input, this.clock());
    const analytics = this.store.analytics;
    const [rooms, perDay, activeUsers, backlog, latency, histories] = await Promise.all([
      analytics.rooms(scope),
      analytics.messagesPerDay(scope),
      analytics.activeUsers(scope),
      analytics.unreadBacklog(scope),
      analytics.deliveryLatency(scope, [0.5, 0.9]),
      analytics.caseHistories(scope),
    ]);
    const support = supportFigures(histories);
    const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
    return {
      range: { from: scope.from, to: scope.to, group_by: groupBy, type: scope.type ?? null, queue: scope.queue ?? null },
      rooms: {
        total: sum(rooms.map((r) => r.total)),
        created: sum(rooms.map((r) => r.created)),
        active: sum(rooms.map((r) => r.active)),
        open: sum(rooms.map((r) => r.open)),
        by_type: rooms.map((r) => ({ type: r.type, total: r.total, created: r.created, active: r.active, open: r.open })),
      },
      messages: { total: sum(perDay.map((d) => d.count)), series: rollUp(perDay, groupBy) },
      active_users: activeUsers,
      unread_backlog: backlog.map((b) => ({ role: b.role, participants: b.participants, unread: b.unread })),
      delivery_latency: { count: latency.count, p50_ms: latency.values[0] ?? null, p90_ms: latency.values[1] ?? null },
      support: {
        overall: support.overall,
        by_queue: [...support.byQueue],
        by_agent: support.byAgent.map(({ agentId, ...figures }) => ({ agent_id: agentId, ...figures })),
      },
    };
  }
}

/** Daily counts summed into the asked buckets, ordered by bucket, type and sender role. */
function rollUp(perDay: readonly DailyMessageCount[], groupBy: AnalyticsGroupBy): AnalyticsSummaryJson['messages']['series'] {
  const buckets = new Map<string, { bucket: string; type: string; sender_role: string; count: number }>();
  for (const day of perDay) {
    const bucket = timeBucket(day.day, groupBy);
    const key = JSON.stringify([bucket, day.type, day.senderRole]);
    const entry = buckets.get(key) ?? { bucket, type: day.type, sender_role: day.senderRole, count: 0 };
    entry.count += day.count;
    buckets.set(key, entry);
  }
  return [...buckets.values()].sort((a, b) => byText(a.bucket, b.bucket) || byText(a.type, b.type) || byText(a.sender_role, b.sender_role));
}
