import { sql, type RawBuilder } from 'kysely';
import { byText } from '../../core/text-order.js';
import type { DialectAdapter } from '../dialect-adapter.js';
import type { AnalyticsRepository, AnalyticsScope, CaseEvent, CaseHistory, DailyMessageCount, RoomCounts, UnreadBacklog } from '../store.js';

/** The note a reopen writes (support.service's `caseNote`), as its metadata is stored: JSON text. */
const REOPEN_NOTE = '%"support_change":"reopened"%';
/** Kinds that never answer a customer: server notes and automated replies. */
const NOT_A_REPLY = ['system', 'bot'] as const;


/**
 * The scope's type and queue as a condition on a conversation id column. Written as `exists`
 * so every query applies it the same way, whatever else it joins.
 */
function inScope(scope: Omit<AnalyticsScope, 'from' | 'to'>, conversationId: string): RawBuilder<boolean> {
  const id = sql.ref(conversationId);
  const conditions: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (scope.type !== undefined) conditions.push(sql`exists (select 1 from conversations sc_c where sc_c.id = ${id} and sc_c.type = ${scope.type})`);
  if (scope.queue !== undefined) conditions.push(sql`exists (select 1 from support_cases sc_q where sc_q.conversation_id = ${id} and sc_q.queue = ${scope.queue})`);
  return sql<boolean>`(${sql.join(conditions, sql` and `)})`;
}

/** Aggregates in SQL (counts, sums, grouping by day); see `AnalyticsRepository`. */
export class KyselyAnalyticsRepository implements AnalyticsRepository {
  constructor(private readonly adapter: DialectAdapter) {}

  private get db() {
    return this.adapter.db;
  }

  async rooms(scope: AnalyticsScope): Promise<RoomCounts[]> {
    const { rows } = await sql<{ type: string; total: unknown; created: unknown; active: unknown; open: unknown }>`
      select c.type as type,
        count(*) as total,
        sum(case when c.created_at >= ${scope.from} then 1 else 0 end) as created,
        sum(case when exists (select 1 from messages m where m.conversation_id = c.id and m.created_at >= ${scope.from} and m.created_at < ${scope.to}) then 1 else 0 end) as active,
        sum(case when c.status <> 'closed' then 1 else 0 end) as open
      from conversations c
      where c.created_at < ${scope.to} and ${inScope(scope, 'c.id')}
      group by c.type`.execute(this.db);
    return rows
      .map((r) => ({ type: r.type, total: Number(r.total), created: Number(r.created), active: Number(r.active), open: Number(r.open) }))
      .sort((a, b) => byText(a.type, b.type));
  }

  async messagesPerDay(scope: AnalyticsScope): Promise<DailyMessageCount[]> {
    // Timestamps are ISO-8601 UTC text, so the first ten characters are the UTC day.
    const { rows } = await sql<{ day: string; type: string; sender_role: string; n: unknown }>`
      select substr(m.created_at, 1, 10) as day, c.type as type,
        case when m.sender_id is null then 'system' else coalesce(p.role, 'none') end as sender_role,
        count(*) as n
      from messages m
      join conversations c on c.id = m.conversation_id
      left join participants p on p.conversation_id = m.conversation_id and p.user_id = m.sender_id
      where m.created_at >= ${scope.from} and m.created_at < ${scope.to} and ${inScope(scope, 'm.conversation_id')}
      group by 1, 2, 3`.execute(this.db);
    return rows
      .map((r) => ({ day: r.day, type: r.type, senderRole: r.sender_role, count: Number(r.n) }))
      .sort((a, b) => byText(a.day, b.day) || byText(a.type, b.type) || byText(a.senderRole, b.senderRole));
  }

  async activeUsers(scope: AnalyticsScope): Promise<number> {
    const { rows } = await sql<{ n: unknown }>`
      select count(distinct m.sender_id) as n from messages m
      where m.sender_id is not null and m.created_at >= ${scope.from} and m.created_at < ${scope.to} and ${inScope(scope, 'm.conversation_id')}`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  async unreadBacklog(scope: Omit<AnalyticsScope, 'from' | 'to'>): Promise<UnreadBacklog[]> {
    const { rows } = await sql<{ role: string; participants: unknown; unread: unknown }>`
      select p.role as role, count(*) as participants, coalesce(sum(c.last_seq - p.last_read_seq), 0) as unread
      from participants p join conversations c on c.id = p.conversation_id
      where p.left_at is null and ${inScope(scope, 'p.conversation_id')}
      group by p.role`.execute(this.db);
    return rows.map((r) => ({ role: r.role, participants: Number(r.participants), unread: Number(r.unread) })).sort((a, b) => byText(a.role, b.role));
  }

  async deliveryLatency(scope: AnalyticsScope, percentiles: readonly number[]): Promise<{ count: number; values: (number | null)[] }> {
    const latency = sql`${this.adapter.epochMillis(sql.ref('d.first_delivered_at'))} - ${this.adapter.epochMillis(sql.ref('m.created_at'))}`;
    const delivered = sql`from message_deliveries d join messages m on m.id = d.message_id
      where m.created_at >= ${scope.from} and m.created_at < ${scope.to} and ${inScope(scope, 'm.conversation_id')}`;
    const { rows } = await sql<{ n: unknown }>`select count(*) as n ${delivered}`.execute(this.db);
    const count = Number(rows[0]?.n ?? 0);
    const values = await Promise.all(
      percentiles.map(async (p) => {
        if (count === 0) return null;
        // Nearest rank: the value at rank ⌈p·n⌉ (1-based) in ascending order.
        const rank = Math.max(1, Math.ceil(p * count));
        const { rows: picked } = await sql<{ v: unknown }>`select ${latency} as v ${delivered} order by v limit 1 offset ${rank - 1}`.execute(this.db);
        return picked[0] === undefined ? null : Number(picked[0].v);
      }),
    );
    return { count, values };
  }

  async caseHistories(scope: AnalyticsScope): Promise<CaseHistory[]> {
    const cases = await this.db
      .selectFrom('support_cases as sc')
      .select(['sc.conversation_id', 'sc.queue', 'sc.requester_id', 'sc.assigned_agent_id', 'sc.created_at', 'sc.resolved_at', 'sc.csat_score'])
      .where('sc.created_at', '>=', scope.from)
      .where('sc.created_at', '<', scope.to)
      .where(inScope(scope, 'sc.conversation_id'))
      .execute();
    if (cases.length === 0) return [];
    // Shadowed messages reached no one but their sender, so they answer no one.
    const { rows } = await sql<{ conversation_id: string; seq: unknown; created_at: string; sender_id: string | null; kind: string }>`
      select m.conversation_id, m.seq, m.created_at, m.sender_id, m.kind
      from messages m join support_cases sc on sc.conversation_id = m.conversation_id
      where sc.created_at >= ${scope.from} and sc.created_at < ${scope.to} and ${inScope(scope, 'sc.conversation_id')}
        and ((m.kind = 'system' and m.metadata like ${REOPEN_NOTE})
          or (m.sender_id is not null and m.sender_id <> sc.requester_id and m.shadowed = 0 and m.kind not in (${sql.join(NOT_A_REPLY)})))`.execute(this.db);
    const events = new Map<string, CaseEvent[]>();
    for (const row of rows) {
      const list = events.get(row.conversation_id) ?? [];
      list.push({ seq: Number(row.seq), at: row.created_at, type: row.kind === 'system' ? 'reopened' : 'reply', senderId: row.sender_id });
      events.set(row.conversation_id, list);
    }
    return cases
      .map((c) => ({
        conversationId: c.conversation_id,
        queue: c.queue,
        requesterId: c.requester_id,
        assignedAgentId: c.assigned_agent_id,
        createdAt: c.created_at,
        resolvedAt: c.resolved_at,
        csatScore: c.csat_score === null ? null : Number(c.csat_score),
        events: (events.get(c.conversation_id) ?? []).sort((a, b) => a.seq - b.seq),
      }))
      .sort((a, b) => byText(a.createdAt, b.createdAt) || byText(a.conversationId, b.conversationId));
  }
}
