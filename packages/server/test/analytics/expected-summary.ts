import type { AnalyticsSummaryJson, SupportFiguresJson } from '@switchboard/protocol';
import { IDS, RANGE } from './analytics-seed.js';

/** Worked by hand from analytics-seed.ts; see the comments there for where each number comes from. */

const none = { count: 0, p50_ms: null, p90_ms: null };
const once = (ms: number) => ({ count: 1, p50_ms: ms, p90_ms: ms });
const MIN = 60_000;
const HOUR = 60 * MIN;

const billing: SupportFiguresJson = { cases: 1, cycles: 1, first_response: once(10 * MIN), resolution: once(HOUR), resolved: 1, reopened: 0, reopen_rate: 0, csat: { count: 1, average: 2 } };
const general: SupportFiguresJson = {
  cases: 2,
  cycles: 3,
  // S1's two cycles: 2 min and 5 min; S3's one is unanswered. Nearest rank: p50 is the 1st of 2.
  first_response: { count: 2, p50_ms: 2 * MIN, p90_ms: 5 * MIN },
  resolution: once(28 * HOUR),
  resolved: 1,
  reopened: 1,
  reopen_rate: 1,
  csat: { count: 1, average: 4 },
};

export const EXPECTED_SUMMARY: AnalyticsSummaryJson = {
  range: { from: RANGE.from, to: RANGE.to, group_by: 'day', type: null, queue: null },
  rooms: {
    total: 5,
    created: 4,
    active: 4,
    open: 4,
    by_type: [
      { type: 'direct', total: 1, created: 1, active: 0, open: 0 },
      { type: 'general', total: 1, created: 0, active: 1, open: 1 },
      { type: 'support', total: 3, created: 3, active: 3, open: 3 },
    ],
  },
  messages: {
    total: 17,
    series: [
      { bucket: '2030-01-02', type: 'support', sender_role: 'agent', count: 1 },
      { bucket: '2030-01-02', type: 'support', sender_role: 'requester', count: 1 },
      { bucket: '2030-01-02', type: 'support', sender_role: 'system', count: 2 },
      { bucket: '2030-01-03', type: 'support', sender_role: 'agent', count: 1 },
      { bucket: '2030-01-03', type: 'support', sender_role: 'requester', count: 1 },
      { bucket: '2030-01-03', type: 'support', sender_role: 'system', count: 2 },
      { bucket: '2030-01-06', type: 'general', sender_role: 'member', count: 1 },
      { bucket: '2030-01-07', type: 'general', sender_role: 'member', count: 2 },
      { bucket: '2030-01-08', type: 'support', sender_role: 'agent', count: 2 },
      { bucket: '2030-01-08', type: 'support', sender_role: 'requester', count: 1 },
      { bucket: '2030-01-08', type: 'support', sender_role: 'system', count: 2 },
      { bucket: '2030-01-10', type: 'support', sender_role: 'requester', count: 1 },
    ],
  },
  active_users: 6,
  unread_backlog: [
    { role: 'agent', participants: 3, unread: 8 },
    { role: 'driver', participants: 1, unread: 0 },
    { role: 'member', participants: 4, unread: 1 },
    { role: 'requester', participants: 3, unread: 5 },
  ],
  // 250 ms, 1.5 s, 4 s, 4 min 0.25 s.
  delivery_latency: { count: 4, p50_ms: 1_500, p90_ms: 240_250 },
  support: {
    overall: {
      cases: 3,
      cycles: 4,
      first_response: { count: 3, p50_ms: 5 * MIN, p90_ms: 10 * MIN },
      resolution: { count: 2, p50_ms: HOUR, p90_ms: 28 * HOUR },
      resolved: 2,
      reopened: 1,
      reopen_rate: 0.5,
      csat: { count: 2, average: 3 },
    },
    by_queue: [
      { queue: 'billing', ...billing },
      { queue: 'general_support', ...general },
    ],
    by_agent: [
      // Answered S1's first cycle and S2's; holds both cases.
      { agent_id: IDS.a1, cases: 2, cycles: 2, first_response: { count: 2, p50_ms: 5 * MIN, p90_ms: 10 * MIN }, resolution: { count: 2, p50_ms: HOUR, p90_ms: 28 * HOUR }, resolved: 2, reopened: 1, reopen_rate: 0.5, csat: { count: 2, average: 3 } },
      // Answered S1's reopen cycle; holds no case.
      { agent_id: IDS.a2, cases: 0, cycles: 1, first_response: once(2 * MIN), resolution: none, resolved: 0, reopened: 0, reopen_rate: null, csat: { count: 0, average: null } },
    ],
  },
};
