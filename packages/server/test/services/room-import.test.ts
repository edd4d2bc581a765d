import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceActor, UserActor } from '../../src/core/actor.js';
import { loadConfig } from '../../src/core/config.js';
import type { DomainEvent } from '../../src/bus/domain-event.js';
import { createServices, type Services } from '../../src/services.js';

const service: ServiceActor = { kind: 'service', keyId: 'test' };

describe('imports through the services', () => {
  let dataDir: string;
  let services: Services;
  const heard: { topic: string; event: DomainEvent }[] = [];
  const listen = (topic: string) => services.bus.subscribe(topic, (event) => void heard.push({ topic, event }));

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-room-import-'));
    services = await createServices({ ...loadConfig({ DATA_DIR: dataDir }), jobsEnabled: false }, pino({ level: 'silent' }));
    for (const id of ['ana', 'bo', 'cy']) await services.users.upsert(service, id, { roles: ['morevans_customer'] });
    heard.length = 0;
  });
  afterEach(async () => {
    await services.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('ensureManyForContext', () => {
    it('creates, updates and keeps rooms, failing a bad room alone, and announces what changed', async () => {
      const [first] = await services.conversations.ensureManyForContext(service, [{ context: { type: 'job', id: 'J-1' }, type: 'job', participants: [{ userId: 'ana' }, { userId: 'bo' }] }]);
      expect(first).toMatchObject({ ok: true, outcome: 'created' });
      const id = first!.ok ? first!.conversation.id : '';
      listen(`conversation:${id}`);
      listen('user:cy');
      const results = await services.conversations.ensureManyForContext(service, [
        { context: { type: 'job', id: 'J-1' }, type: 'job', participants: [{ userId: 'ana' }, { userId: 'cy', role: 'provider' }] },
        { context: { type: 'job', id: 'J-2' }, type: 'job', participants: [{ userId: 'ghost' }] },
        { context: { type: 'job', id: 'J-3' }, type: 'job', participants: [{ userId: 'ana' }] },
        { context: { type: 'job', id: 'J-3' }, type: 'job', participants: [{ userId: 'ana' }] },
      ]);
      expect(results.map((r) => (r.ok ? r.outcome : r.error.code))).toEqual(['updated', 'user_not_found', 'created', 'unchanged']);
      expect(heard.map((h) => [h.topic, h.event.type])).toEqual(
        expect.arrayContaining([[`conversation:${id}`, 'participant.added'], ['user:cy', 'participant.added'], [`conversation:${id}`, 'participant.removed']]),
      );
      expect((await services.store.conversations.participants(id)).map((p) => [p.userId, p.role]).sort()).toEqual([['ana', 'member'], ['cy', 'provider']]);
    });

    it('refuses a user without conversations.manage, as the PUT by context does', async () => {
      const user = (await services.store.users.byId('ana'))!;
      const actor: UserActor = { kind: 'user', user, token: { jti: undefined, exp: undefined } };
      await expect(services.conversations.ensureManyForContext(actor, [{ context: { type: 'job', id: 'J-1' }, type: 'job', participants: [] }])).rejects.toMatchObject({ code: 'forbidden' });
    });
  });

  describe('importUser', () => {
    it('reports a user the line would not change as unchanged, and a new password as an update', async () => {
      expect((await services.users.importUser(service, 'dee', { roles: ['provider'], email: 'Dee@Example.com', password: 'first-password' })).outcome).toBe('created');
      expect((await services.users.importUser(service, 'dee', { roles: ['provider'], email: 'dee@example.com', password: 'first-password' })).outcome).toBe('unchanged');
      expect((await services.users.importUser(service, 'dee', { roles: ['provider'], password: 'second-password' })).outcome).toBe('updated');
      expect((await services.users.importUser(service, 'dee', { roles: ['provider', 'operator'] })).outcome).toBe('updated');
    });
  });
});
