import type { DurationStatsJson, SupportFiguresJson } from '@switchboard/protocol';
import type { CaseHistory } from '../storage/store.js';
import { byText } from '../core/text-order.js';
import { nearestRank } from './nearest-rank.js';

/** One first response: a cycle answered, by whom, how long after the cycle began. */
interface FirstResponse {
  readonly queue: string;
  readonly agentId: string;
  readonly ms: number;
}

/** A case reduced to what the figures count. */
interface CaseOutcome {
  readonly history: CaseHistory;
  readonly cycles: number;
  readonly reopened: boolean;
  readonly resolutionMs: number | null;
}

export interface SupportFigures {
  readonly overall: SupportFiguresJson;
  readonly byQueue: readonly (SupportFiguresJson & { readonly queue: string })[];
  readonly byAgent: readonly (SupportFiguresJson & { readonly agentId: string })[];
}

const ms = (from: string, to: string): number => Date.parse(to) - Date.parse(from);

/**
 * A case's cycles: the first begins when the case opens, each reopen begins another. A cycle's
 * first response is its first reply (someone other than the requester, not a system or bot
 * message) after it began and before the next began; it is credited to whoever sent it.
 */
export function firstResponses(history: CaseHistory): { cycles: number; responses: FirstResponse[] } {
  const starts = [{ seq: 0, at: history.createdAt }, ...history.events.filter((e) => e.type === 'reopened')];
  const responses: FirstResponse[] = [];
  starts.forEach((start, i) => {
    const end = starts[i + 1]?.seq ?? Number.POSITIVE_INFINITY;
    const reply = history.events.find((e) => e.type === 'reply' && e.seq > start.seq && e.seq < end);
    if (reply?.senderId) responses.push({ queue: history.queue, agentId: reply.senderId, ms: ms(start.at, reply.at) });
  });
  return { cycles: starts.length, responses };
}

function durations(values: readonly number[]): DurationStatsJson {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50_ms: nearestRank(sorted, 0.5), p90_ms: nearestRank(sorted, 0.9) };
}

const round = (value: number, places: number): number => Number(value.toFixed(places));

function figures(outcomes: readonly CaseOutcome[], cycles: number, responses: readonly FirstResponse[]): SupportFiguresJson {
  // A reopened case was resolved before it reopened, even if it is not resolved now.
  const resolved = outcomes.filter((o) => o.history.resolvedAt !== null || o.reopened).length;
  const reopened = outcomes.filter((o) => o.reopened).length;
  const rated = outcomes.map((o) => o.history.csatScore).filter((s): s is number => s !== null);
  return {
    cases: outcomes.length,
    cycles,
    first_response: durations(responses.map((r) => r.ms)),
    resolution: durations(outcomes.map((o) => o.resolutionMs).filter((v): v is number => v !== null)),
    resolved,
    reopened,
    reopen_rate: resolved === 0 ? null : round(reopened / resolved, 4),
    csat: { count: rated.length, average: rated.length === 0 ? null : round(rated.reduce((a, b) => a + b, 0) / rated.length, 2) },
  };
}

/**
 * Support figures overall, per queue and per agent. An agent's first responses are the cycles
 * they answered first; their cases, resolutions, reopens and ratings are those of the cases
 * assigned to them now. Queues and agents in code-unit order.
 */
export function supportFigures(histories: readonly CaseHistory[]): SupportFigures {
  const outcomes: CaseOutcome[] = [];
  const responses: FirstResponse[] = [];
  for (const history of histories) {
    const cycle = firstResponses(history);
    responses.push(...cycle.responses);
    outcomes.push({
      history,
      cycles: cycle.cycles,
      reopened: history.events.some((e) => e.type === 'reopened'),
      resolutionMs: history.resolvedAt === null ? null : ms(history.createdAt, history.resolvedAt),
    });
  }
  const cyclesOf = (list: readonly CaseOutcome[]) => list.reduce((n, o) => n + o.cycles, 0);
  const queues = [...new Set(outcomes.map((o) => o.history.queue))].sort(byText);
  const agents = [...new Set([...responses.map((r) => r.agentId), ...outcomes.map((o) => o.history.assignedAgentId).filter((a): a is string => a !== null)])].sort(byText);
  return {
    overall: figures(outcomes, cyclesOf(outcomes), responses),
    byQueue: queues.map((queue) => {
      const of = outcomes.filter((o) => o.history.queue === queue);
      return { queue, ...figures(of, cyclesOf(of), responses.filter((r) => r.queue === queue)) };
    }),
    byAgent: agents.map((agentId) => {
      const credited = responses.filter((r) => r.agentId === agentId);
      return { agentId, ...figures(outcomes.filter((o) => o.history.assignedAgentId === agentId), credited.length, credited) };
    }),
  };
}
