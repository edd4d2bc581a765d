import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Bus } from '../../src/bus/bus.js';
import type { DomainEvent } from '../../src/bus/domain-event.js';
import { loadConfig } from '../../src/core/config.js';
import type { User } from '../../src/core/model.js';
import { createServices, type Services } from '../../src/services.js';
import { eventually } from '../support/cluster.js';
import { createScratchPostgres, dropScratchPostgres } from '../support/scratch-postgres.js';
import { dialects, type DialectName } from '../support/test-stores.js';

/** A bus that is down: every publication rejects. */
class RejectingBus implements Bus {
  readonly attempted: { topic: string; event: DomainEvent }[] = [];

  async publish(topic: string, event: DomainEvent): Promise<void> {
    this.attempted.push({ topic, event });
    throw new Error('bus is down');
  }

  subscribe(): () => void {
    return () => {};
  }

  async close(): Promise<void> {}
}

/** Services over a fresh database of the dialect, with the bus given, and what they logged. */
async function servicesOn(dialect: DialectName, bus: Bus) {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-after-commit-'));
  const adminUrl = process.env.TEST_DATABASE_URL;
  const scratch = dialect === 'postgres' && adminUrl !== undefined ? await createScratchPostgres(adminUrl, 'sb_after_commit') : undefined;
  const config = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'x'.repeat(40), ...(scratch && { DATABASE_URL: scratch.url }) });
  const logged: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  const services = await createServices(config, logger, { bus });
  const app = await buildApp(services);
  return {
    services,
    app,
    logged,
    async close() {
      await app.close();
      await services.close();
      if (scratch && adminUrl !== undefined) await dropScratchPostgres(adminUrl, scratch.name);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

for (const dialect of dialects) {
  describe(`after a send commits, on ${dialect}`, () => {
    const bus = new RejectingBus();
    let env: Awaited<ReturnType<typeof servicesOn>>;
    let services: Services;
    let app: FastifyInstance;
    beforeAll(async () => {
      env = await servicesOn(dialect, bus);
      ({ services, app } = env);
    });
    afterAll(() => env?.close());

    let counter = 0;
    const user = (roles: string[]) => services.store.users.upsert({ id: `${roles[0]}-${++counter}`, email: null, passwordHash: null, displayName: `${roles[0]} ${counter}`, roles });
    const send = async (who: User, conversationId: string, body: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: `/v1/conversations/${conversationId}/messages`, headers: { authorization: `Bearer ${await services.tokens.mint(who)}` }, payload: body });

    /** A case the customer opened with a first message, the agent already on it (no bus needed to set it up). */
    async function openCase(customer: User, agent: User) {
      return services.store.cases.open(
        { type: 'support', context: null, title: 'Late order', metadata: { queue: 'general_support' }, createdBy: customer.id, participants: [{ userId: customer.id, role: 'requester' }, { userId: agent.id, role: 'staff' }] },
        { queue: 'general_support', priority: 'medium', category: null, subject: 'Late order', requesterId: customer.id },
        { senderId: customer.id, kind: 'text', content: 'Where is my order?' },
      );
    }

    it('answers the agent’s reply with success while the bus refuses it, and the runner still stamps the first response once', async () => {
      const [customer, agent] = [await user(['customer']), await user(['support'])];
      const { conversation, message: opening } = await openCase(customer, agent);
      expect(await services.store.outbox.byId(`${opening!.id}:support.first_response`)).toBeUndefined();

      const reply = await send(agent, conversation.id, { content: 'Looking into it', client_id: 'reply-1' });
      expect(reply.statusCode, reply.body).toBe(201);
      const sent = reply.json().message as { id: string; created_at: string };
      expect(bus.attempted.some((p) => p.event.type === 'message.created' && p.topic === `conversation:${conversation.id}`)).toBe(true);

      const stamped = await eventually(async () => (await services.store.cases.byConversation(conversation.id))?.firstResponseAt, 5000, 'first response stamped', 10);
      expect(stamped).toBe(sent.created_at);
      const job = await eventually(async () => {
        const found = await services.store.outbox.byId(`${sent.id}:support.first_response`);
        return found?.completedAt ? found : undefined;
      }, 5000, 'the stamp job completed', 10);
      expect(job).toMatchObject({ kind: 'support.first_response', subjectId: sent.id, attempts: 1, failedAt: null });

      // The reply's other jobs (its conversation's notification schedule) settle too.
      await eventually(async () => (await services.store.outbox.counts()).pending === 0, 5000, 'every job settled', 10);
      // The sender's retry of the same reply gets the original, and owes nothing more.
      const retry = await send(agent, conversation.id, { content: 'Looking into it', client_id: 'reply-1' });
      expect(retry.statusCode).toBe(200);
      expect(retry.json().message.id).toBe(sent.id);
      expect(await services.store.outbox.counts()).toEqual({ pending: 0, failed: 0 });

      const warning = env.logged.find((line) => line.eventType === 'message.created' && line.topic === `conversation:${conversation.id}`);
      expect(warning).toMatchObject({ level: 40, err: { message: 'bus is down' } });
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/switchboard_bus_publish_failures_total\{type="message\.created"\} 1\n/);
      expect(metrics).toMatch(/switchboard_jobs_total\{kind="support\.first_response",outcome="completed"\} 1\n/);
    });

    it('writes no first-response job for messages of the customer who opened the case', async () => {
      const [customer, agent] = [await user(['customer']), await user(['support'])];
      const { conversation } = await openCase(customer, agent);
      const followUp = await send(customer, conversation.id, { content: 'Hello?' });
      expect(followUp.statusCode).toBe(201);
      expect(await services.store.outbox.byId(`${followUp.json().message.id}:support.first_response`)).toBeUndefined();
      expect((await services.store.cases.byConversation(conversation.id))?.firstResponseAt).toBeNull();
    });

    it('answers receipts and edits with success while the bus refuses them', async () => {
      const [customer, agent] = [await user(['customer']), await user(['support'])];
      const { conversation } = await openCase(customer, agent);
      const sent = (await send(customer, conversation.id, { content: 'typo' })).json().message as { id: string };
      const token = `Bearer ${await services.tokens.mint(customer)}`;
      const edited = await app.inject({ method: 'PATCH', url: `/v1/conversations/${conversation.id}/messages/${sent.id}`, headers: { authorization: token }, payload: { content: 'fixed' } });
      expect(edited.statusCode, edited.body).toBe(200);
      const read = await services.messages.markRead({ kind: 'user', user: agent, token: { jti: undefined, exp: undefined } }, conversation.id, undefined);
      expect(read.participant.lastReadSeq).toBe(2);
    });
  });
}
