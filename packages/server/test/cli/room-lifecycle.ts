import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserActor } from '../../src/core/actor.js';
import { loadConfig } from '../../src/core/config.js';
import type { Message } from '../../src/core/model.js';
import { createServices } from '../../src/services.js';
import type { KyselyStore } from '../../src/storage/kysely/kysely-store.js';
import { openStore } from '../../src/storage/open-store.js';
import type { Store } from '../../src/storage/store.js';
import { runCli, scratchDir } from './run-cli.js';

/** Where the commands of one run point: a data directory, and maybe PostgreSQL and Redis. */
export interface CliTarget {
  readonly name: string;
  /** How many rooms the import tests bring in (and the export walks). */
  readonly rooms: number;
  /** Extra environment for every command (`DATABASE_URL`, `JWT_SECRET`, `REDIS_URL`…). */
  env(): Record<string, string>;
  /** Set up before the first command (a scratch database); undone by `teardown`. */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** Runs alongside the command that archives and the one that disables, to hear their events. */
  listen?: (topics: readonly string[]) => Promise<{ heard: () => { topic: string; type: string }[]; stop: () => Promise<void> }>;
}

const USERS = 200;
const DAY_MS = 86_400_000;

const roomLine = (i: number) => ({
  context: { type: 'job', id: `J-${i}` },
  title: `Job ${i}`,
  metadata: { origin: 'morevans' },
  participants: [`u${i % USERS}`, { user_id: `u${(i + 1) % USERS}`, role: 'provider' }],
});

/**
 * The whole life of host-object rooms through the real binary, on one target: users in, thousands
 * of rooms in (and again, unchanged), membership changes with bad lines, cleanup dry-run then real,
 * an export compared message by message with the store, and a user disabled.
 */
export function describeRoomLifecycle(target: CliTarget): void {
  // Each test runs the binary a few times; on a busy machine a start alone can take seconds.
  describe(`the CLI on ${target.name}`, { timeout: 120_000 }, () => {
    const ROOMS = target.rooms;
    // Every 40th room goes idle: J-0, J-40, …
    const IDLE_ROOMS = ROOMS / 40;
    const scratch = scratchDir(`cli-${target.name}`);
    let env: Record<string, string>;
    const cli = (...args: string[]) => runCli(args, env);
    const withStore = async <T>(use: (store: Store) => Promise<T>): Promise<T> => {
      const config = loadConfig(env);
      const store = await openStore(config);
      try {
        return await use(store);
      } finally {
        await store.close();
      }
    };

    beforeAll(async () => {
      await target.setup?.();
      env = { DATA_DIR: join(scratch.path, 'data'), ...target.env() };
    });
    afterAll(async () => {
      await target.teardown?.();
      scratch.remove();
    });

    it('imports users, reporting a bad line by its number and keeping the good ones', async () => {
      const lines: unknown[] = Array.from({ length: USERS }, (_, i) => ({ id: `u${i}`, email: `u${i}@example.com`, display_name: `User ${i}`, roles: ['morevans_customer'] }));
      lines.splice(3, 0, { id: 'x1', roles: 'provider' });
      const run = await cli('users', 'import', scratch.file('users.ndjson', lines));
      expect(run.stderr).toMatch(/^line 4: \/roles: /m);
      expect(run.stdout).toMatch(/^users import: 201 lines: created 200, updated 0, unchanged 0, failed 1 \(/m);
      expect(run.code).toBe(2);
      const again = await cli('users', 'import', scratch.file('users-good.ndjson', lines.filter((_, i) => i !== 3)));
      expect(again.stdout).toMatch(/^users import: 200 lines: created 0, updated 0, unchanged 200, failed 0 \(/m);
      expect(again.code).toBe(0);
    });

    it(`imports ${ROOMS} rooms with progress lines and an exact count, then again with all unchanged`, async () => {
      const file = scratch.file('rooms.ndjson', Array.from({ length: ROOMS }, (_, i) => roomLine(i)));
      const first = await cli('rooms', 'import', file);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`rooms import: ${ROOMS} lines: created ${ROOMS}, updated 0, unchanged 0, failed 0 (`);
      // Not a terminal: plain progress lines (at most one per tenth, as batches complete), no control codes.
      const done = [...first.stderr.matchAll(new RegExp(`^rooms import: (\\d+)/${ROOMS} \\(\\d+%\\)$`, 'gm'))].map((m) => Number(m[1]));
      expect(done.length).toBeGreaterThanOrEqual(4);
      expect(done.length).toBeLessThanOrEqual(10);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(done.at(-1)).toBe(ROOMS);
      expect(first.stderr).not.toContain('\u001b[');
      const count = await withStore(async (store) => (await store.conversations.scan({ limit: ROOMS + 1 })).length);
      expect(count).toBe(ROOMS);

      const second = await cli('rooms', 'import', file);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain(`rooms import: ${ROOMS} lines: created 0, updated 0, unchanged ${ROOMS}, failed 0 (`);
    });

    it('follows membership changes and reports bad lines by number without stopping the good ones', async () => {
      const file = scratch.file('changes.ndjson', [
        { ...roomLine(1), participants: ['u1', 'u50'] },
        '{"context": {"type": "job"',
        { ...roomLine(2), participants: ['u2', 'ghost'] },
        { context: { type: 'direct', id: 'x' }, participants: [] },
        roomLine(3),
        { context: { type: 'job', id: 'J-NEW' }, participants: ['u9'] },
      ]);
      const run = await cli('rooms', 'import', file);
      expect(run.stdout).toMatch(/^rooms import: 6 lines: created 1, updated 1, unchanged 1, failed 3 \(/m);
      expect(run.stderr).toMatch(/^line 2: not JSON/m);
      expect(run.stderr).toContain('line 3: user_not_found: Unknown user: ghost');
      expect(run.stderr).toMatch(/^line 4: validation_failed: /m);
      expect(run.code).toBe(2);
      const members = await withStore(async (store) => store.conversations.participants((await store.conversations.byContext({ type: 'job', id: 'J-1' }))!.id));
      expect(members.map((p) => p.userId).sort()).toEqual(['u1', 'u50']);
    });

    it('lists idle rooms on a dry run without changing them, then archives exactly those, announcing each', async () => {
      const idleIds = Array.from({ length: IDLE_ROOMS }, (_, i) => `J-${i * 40}`);
      const idle = await withStore(async (store) => {
        const db = (store as KyselyStore).adapter.db;
        await db.updateTable('conversations').set({ last_activity_at: new Date(Date.now() - 40 * DAY_MS).toISOString() }).where('context_id', 'in', idleIds).execute();
        return (await db.selectFrom('conversations').select('id').where('context_id', 'in', idleIds).execute()).map((r) => r.id);
      });

      const dry = await cli('rooms', 'cleanup', '--days', '30', '--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.stdout.match(/^would archive /gm)).toHaveLength(IDLE_ROOMS);
      expect(dry.stdout).toMatch(new RegExp(`^rooms cleanup \\(dry run\\): ${IDLE_ROOMS} rooms inactive since before .* would be archived$`, 'm'));
      expect(await withStore(async (store) => (await store.conversations.byId(idle[0]!))!.status)).toBe('active');

      const listening = await target.listen?.([`conversation:${idle[0]}`]);
      const real = await cli('rooms', 'cleanup', '--days', '30');
      expect(real.code).toBe(0);
      expect(real.stdout).toContain(`rooms cleanup: archived ${IDLE_ROOMS} rooms inactive since before `);
      if (listening) {
        await expect.poll(() => listening.heard().map((e) => e.type)).toContain('conversation.updated');
        await listening.stop();
      }
      const statuses = await withStore(async (store) => Promise.all([...idle, (await store.conversations.byContext({ type: 'job', id: 'J-1' }))!.id].map(async (id) => (await store.conversations.byId(id))!.status)));
      expect(statuses.filter((s) => s === 'archived')).toHaveLength(IDLE_ROOMS);
      expect(statuses.at(-1)).toBe('active');

    });

    it('refuses to send to an archived room, which stays readable', async () => {
      const services = await createServices({ ...loadConfig(env), jobsEnabled: false }, pino({ level: 'silent' }));
      try {
        const room = (await services.store.conversations.byContext({ type: 'job', id: 'J-0' }))!;
        const user = (await services.store.users.byId('u0'))!;
        const actor: UserActor = { kind: 'user', user, token: { jti: undefined, exp: undefined } };
        await expect(services.messages.send(actor, room.id, { content: 'anyone there?' })).rejects.toMatchObject({ code: 'conversation_closed' });
        expect((await services.conversations.get(actor, room.id)).conversation.status).toBe('archived');
      } finally {
        await services.close();
      }
    });

    it('exports every message as stored, in seq order, and round-trips the lot', async () => {
      const seeded = await withStore((store) => seedMessages(store));
      const out = join(scratch.path, 'export.ndjson');
      const run = await cli('export', '--all', '--out', out);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`export: ${ROOMS + 1} conversations, ${seeded} messages written to ${out}`);
      expect(readdirSync(scratch.path).filter((name) => name.endsWith('.tmp'))).toEqual([]);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as ExportLine);
      expect(lines.filter((l) => l.type === 'conversation')).toHaveLength(ROOMS + 1);
      const exported = messagesByConversation(lines);
      await withStore(async (store) => {
        let compared = 0;
        for (const [conversationId, messages] of exported) {
          const stored = await allMessages(store, conversationId);
          expect(messages.map(projectExported)).toEqual(stored.map(projectStored));
          compared += stored.length;
        }
        expect(compared).toBe(seeded);
      });

      const archived = await cli('export', '--context', 'job:J-0', '--format', 'json');
      expect(archived.code).toBe(0);
      const document = JSON.parse(archived.stdout) as { conversations: { conversation: { status: string; participants: unknown[] }; messages: unknown[] }[] };
      expect(document.conversations).toHaveLength(1);
      expect(document.conversations[0]!.conversation).toMatchObject({ status: 'archived', participants: [expect.anything(), expect.anything()] });
      const header = lines.find((l): l is Extract<ExportLine, { type: 'conversation' }> => l.type === 'conversation' && l.conversation.context?.id === 'J-0')!;
      expect(document.conversations[0]!.messages).toHaveLength(exported.get(header.conversation.id)!.length);
    });

    it('disables a user and ends every session they had', async () => {
      const before = await withStore(async (store) => (await store.users.byId('u7'))!);
      const listening = await target.listen?.(['user:u7']);
      const run = await cli('users', 'disable', 'u7');
      expect(run).toMatchObject({ code: 0, stdout: 'user u7 disabled; every session ended\n' });
      if (listening) {
        await expect.poll(() => listening.heard().map((e) => e.type)).toEqual(expect.arrayContaining(['sessions.revoked', 'user.updated']));
        await listening.stop();
      }
      const after = await withStore(async (store) => (await store.users.byId('u7'))!);
      expect(after.disabled).toBe(true);
      expect(after.tokensValidAfter).toBeGreaterThan(Math.max(before.tokensValidAfter, Math.floor(Date.now() / 1000) - 60));
    });
  });
}

type ExportLine = { type: 'conversation'; conversation: { id: string; context: { id: string } | null } } | { type: 'message'; message: ExportedMessage };

interface ExportedMessage {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string | null;
  content: string;
  metadata: unknown;
  edited_at: string | null;
  deleted_at: string | null;
  hidden: boolean;
  reported: boolean;
  shadowed: boolean;
  reactions: { emoji: string; user_ids: string[] }[];
}

function messagesByConversation(lines: readonly ExportLine[]): Map<string, ExportedMessage[]> {
  const byConversation = new Map<string, ExportedMessage[]>();
  let current: string | undefined;
  for (const line of lines) {
    if (line.type === 'conversation') current = line.conversation.id;
    else {
      expect(line.message.conversation_id).toBe(current);
      if (!byConversation.has(current!)) byConversation.set(current!, []);
      byConversation.get(current!)!.push(line.message);
    }
  }
  return byConversation;
}

const projectExported = (m: ExportedMessage) => ({
  id: m.id, seq: m.seq, sender: m.sender_id, content: m.content, metadata: m.metadata, edited: m.edited_at, deleted: m.deleted_at,
  hidden: m.hidden, reported: m.reported, shadowed: m.shadowed, reactions: m.reactions.map((r) => [r.emoji, r.user_ids]),
});

const projectStored = (m: Message) => ({
  id: m.id, seq: m.seq, sender: m.senderId, content: m.content, metadata: m.metadata, edited: m.editedAt, deleted: m.deletedAt,
  hidden: m.hidden, reported: m.reported, shadowed: m.shadowed, reactions: (m.reactions ?? []).map((r) => [r.emoji, [...r.userIds]]),
});

async function allMessages(store: Store, conversationId: string): Promise<Message[]> {
  const { messages } = await store.messages.page({ conversationId, afterSeq: 0, limit: 10_000 });
  const reactions = await store.reactions.forMessages(messages.map((m) => m.id));
  return messages.map((m) => ({ ...m, reactions: reactions.get(m.id) ?? [] }));
}

/**
 * Messages in 30 rooms (J-0, archived, among them), with every flag a message can carry: edited,
 * deleted, hidden, reported, shadowed, reacted to. Resolves how many it wrote.
 */
async function seedMessages(store: Store): Promise<number> {
  let written = 0;
  for (let room = 0; room < 30; room++) {
    const conversation = (await store.conversations.byContext({ type: 'job', id: `J-${room}` }))!;
    const senders = [`u${room % USERS}`, `u${(room + 1) % USERS}`];
    for (let i = 0; i < 1 + (room % 7) * 3; i++) {
      const { message } = await store.messages.append({
        conversationId: conversation.id, senderId: senders[i % 2]!, kind: 'text', content: `room ${room} message ${i} ✓`,
        metadata: { n: i }, clientId: `c-${room}-${i}`, shadowed: i % 11 === 5,
      });
      if (i % 4 === 1) await store.messages.update(message.id, { hidden: true, reported: true });
      if (i % 5 === 2) await store.messages.update(message.id, { deletedAt: new Date().toISOString(), content: '' });
      if (i % 6 === 3) await store.messages.update(message.id, { editedAt: new Date().toISOString(), content: 'edited' });
      if (i % 3 === 0) await store.reactions.add(message.id, senders[(i + 1) % 2]!, '👍');
      written++;
    }
  }
  return written;
}
