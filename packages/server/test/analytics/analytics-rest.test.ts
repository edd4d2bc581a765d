import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/test-server.js';
import { IDS, RANGE, seedAnalytics } from './analytics-seed.js';
import { EXPECTED_SUMMARY } from './expected-summary.js';

const query = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;

describe('GET /v1/analytics/summary', () => {
  let server: TestServer;
  let operator: string;
  let deskAdmin: string;

  beforeAll(async () => {
    server = await startTestServer();
    await seedAnalytics(server.services.store, (server.services.store as KyselyStore).adapter.db);
    operator = (await server.user(['operator'])).token;
    deskAdmin = (await server.user(['admin'])).token;
  });
  afterAll(() => server.close());

  it('gives an instance administrator the exact summary', async () => {
    const { status, body } = await server.request('GET', `/v1/analytics/summary${query(RANGE)}`, { token: operator });
    expect(status).toBe(200);
    // The test server's own users (the operator and the desk admin) have no conversations, so the figures are the seed's.
    expect(body).toEqual(EXPECTED_SUMMARY);
  });

  it('answers an API key as it answers an administrator', async () => {
    const { status, body } = await server.request('GET', `/v1/analytics/summary${query({ ...RANGE, group_by: 'month' })}`, { apiKey: TEST_API_KEY });
    expect(status).toBe(200);
    expect(body.range.group_by).toBe('month');
    expect(body.messages.total).toBe(17);
  });

  it('refuses a profile admin without users.manage with 403, and a caller without credentials with 401', async () => {
    const refused = await server.request('GET', `/v1/analytics/summary${query(RANGE)}`, { token: deskAdmin });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'forbidden', message: 'Only administrators may read analytics' } });
    const anonymous = await server.request('GET', `/v1/analytics/summary${query(RANGE)}`);
    expect(anonymous.status).toBe(401);
    const csv = await server.request('GET', `/v1/analytics/summary.csv${query(RANGE)}`, { token: deskAdmin });
    expect(csv.status).toBe(403);
  });

  it('refuses a range that ends before it starts with 422 in the v1 error shape', async () => {
    const { status, body } = await server.request('GET', `/v1/analytics/summary${query({ from: RANGE.to, to: RANGE.from })}`, { token: operator });
    expect(status).toBe(422);
    expect(body).toEqual({ error: { code: 'validation_failed', message: 'Invalid analytics range: /from must be before to', details: [{ path: '/from', message: 'must be before to' }] } });
  });

  it('refuses a range over 366 days, an unparsable instant and an unknown bucket', async () => {
    const long = await server.request('GET', `/v1/analytics/summary${query({ from: '2029-01-01', to: '2030-01-03' })}`, { token: operator });
    expect(long.status).toBe(422);
    expect(long.body.error.details).toEqual([{ path: '/to', message: 'the range may cover at most 366 days' }]);
    const garbled = await server.request('GET', `/v1/analytics/summary${query({ from: 'yesterday' })}`, { token: operator });
    expect(garbled.status).toBe(422);
    expect(garbled.body.error.details).toEqual([{ path: '/from', message: 'must be an ISO-8601 date or instant with a zone, e.g. 2030-01-01 or 2030-01-01T00:00:00Z' }]);
    const bucket = await server.request('GET', `/v1/analytics/summary${query({ ...RANGE, group_by: 'year' })}`, { token: operator });
    expect(bucket.status).toBe(422);
    expect(bucket.body.error.code).toBe('validation_failed');
    const unknown = await server.request('GET', `/v1/analytics/summary${query({ ...RANGE, colour: 'blue' })}`, { token: operator });
    expect(unknown.status).toBe(422);
  });

  it('accepts a 366-day range (a leap year) exactly', async () => {
    const { status } = await server.request('GET', `/v1/analytics/summary${query({ from: '2028-01-01', to: '2029-01-01' })}`, { token: operator });
    expect(status).toBe(200);
  });

  it('serves the same summary as CSV: a header row, then one figure a line', async () => {
    const { status, body, headers } = await server.request('GET', `/v1/analytics/summary.csv${query({ ...RANGE, group_by: 'week' })}`, { token: operator });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(headers.get('content-disposition')).toBe('attachment; filename="switchboard-analytics-2030-01-01-2030-01-15.csv"');
    const lines = (body as string).split('\r\n');
    expect(lines[0]).toBe('metric,dimension,bucket,value');
    expect(lines.at(-1)).toBe('');
    expect(lines).toEqual(
      expect.arrayContaining([
        'rooms.total,,,5',
        'rooms.active,type=support,,3',
        'messages.total,,,17',
        'messages.count,type=general;sender_role=member,2030-01-07,2',
        'messages.count,type=support;sender_role=system,2029-12-31,4',
        'active_users,,,6',
        'unread.messages,role=agent,,8',
        'delivery_latency.p50_ms,,,1500',
        'delivery_latency.p90_ms,,,240250',
        'support.first_response.p50_ms,queue=general_support,,120000',
        'support.reopen_rate,,,0.5',
        `support.cycles,agent=${IDS.a2},,1`,
        `support.reopen_rate,agent=${IDS.a2},,`,
        'support.csat.average,,,3',
      ]),
    );
  });

  it('quotes CSV fields that hold a comma', async () => {
    await server.services.store.conversations.create({ type: 'a,b', context: null, title: null, metadata: {}, createdBy: null, participants: [] });
    const { body } = await server.request('GET', `/v1/analytics/summary.csv${query({ type: 'a,b' })}`, { token: operator });
    expect((body as string).split('\r\n')).toContain('rooms.total,"type=a,b",,1');
  });

  it('documents both forms in the OpenAPI document, the CSV one as text/csv', async () => {
    const { body } = await server.request('GET', '/docs/json');
    expect(Object.keys(body.paths['/v1/analytics/summary'])).toEqual(['get']);
    expect(Object.keys(body.paths['/v1/analytics/summary.csv'].get.responses['200'].content)).toEqual(['text/csv']);
  });
});
