import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { openStore } from '../../src/storage/open-store.js';
import { runCli, scratchDir } from './run-cli.js';

const scratch = scratchDir('cli-usage');
const env = { DATA_DIR: scratch.path };

afterAll(() => scratch.remove());

describe('switchboard --help', { timeout: 90_000 }, () => {
  it('lists every command, and each command explains its options and exit codes', async () => {
    const [top, ...commands] = await Promise.all([
      runCli(['--help'], env),
      runCli(['rooms', 'import', '--help'], env),
      runCli(['rooms', 'cleanup', '--help'], env),
      runCli(['export', '--help'], env),
      runCli(['users', 'import', '--help'], env),
      runCli(['users', 'disable', '--help'], env),
    ]);
    expect(top.code).toBe(0);
    for (const name of ['serve', 'migrate', 'rooms', 'export', 'users']) expect(top.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const [roomsImport, roomsCleanup, exporting, usersImport, usersDisable] = commands.map((run) => {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Exit codes: 0');
      return run.stdout;
    });
    expect(roomsImport).toContain('Usage: switchboard rooms import [options] <file>');
    expect(roomsImport).toContain('--strict');
    expect(roomsCleanup).toContain('--days <n>');
    expect(roomsCleanup).toContain('--dry-run');
    for (const option of ['--conversation <id>', '--context <type:id>', '--all', '--format <format>', '--out <file>']) expect(exporting).toContain(option);
    expect(usersImport).toContain('Usage: switchboard users import [options] <file>');
    expect(usersDisable).toContain('Usage: switchboard users disable [options] <id>');
  });
});

describe('bad arguments', { timeout: 90_000 }, () => {
  const cases: [string, string[], string][] = [
    ['an unknown command', ['rebuild'], "unknown command 'rebuild'"],
    ['a --days that is not a whole number of at least 1', ['rooms', 'cleanup', '--days', '0'], 'expected a whole number of at least 1'],
    ['an import of a file that is not there', ['users', 'import', '/nonexistent/users.ndjson'], 'cannot read /nonexistent/users.ndjson: ENOENT'],
    ['an export that names nothing', ['export'], 'choose exactly one of --conversation ID, --context TYPE:ID or --all'],
    ['an export that names two things', ['export', '--all', '--conversation', 'c1'], 'choose exactly one of'],
    ['an export of an unknown conversation', ['export', '--conversation', 'nope'], 'no conversation with id nope'],
    ['disabling an unknown user', ['users', 'disable', 'nobody'], 'no user with id nobody'],
  ];

  it('ends each with exit code 2 and one clear line on stderr', async () => {
    const runs = await Promise.all(cases.map(([, args]) => runCli(args, env)));
    runs.forEach((run, i) => {
      const [what, , message] = cases[i]!;
      expect({ what, code: run.code }).toEqual({ what, code: 2 });
      expect(run.stderr, what).toContain(message);
      expect(run.stdout, what).toBe('');
    });
  });

  it('imports nothing under --strict when a line is bad, naming the line', async () => {
    const rooms = scratch.file('strict-rooms.ndjson', [{ context: { type: 'job', id: 'J-1' }, participants: [] }, '{"context":', { context: { type: 'job', id: 'J-2' }, participants: ['ghost'] }]);
    const users = scratch.file('strict-users.ndjson', [{ id: 'u1', roles: ['provider'] }, { id: 'u2', roles: [] }]);
    const [roomsRun, usersRun] = await Promise.all([runCli(['rooms', 'import', '--strict', rooms], env), runCli(['users', 'import', '--strict', users], env)]);
    expect(roomsRun.code).toBe(2);
    expect(roomsRun.stderr).toMatch(/^line 2: not JSON/m);
    expect(roomsRun.stderr).toContain('line 3: user_not_found: Unknown user: ghost');
    expect(roomsRun.stderr).toContain('rooms import: 2 bad lines; --strict: nothing imported');
    expect(usersRun.code).toBe(2);
    expect(usersRun.stderr).toMatch(/^line 2: \/roles: /m);
    const store = await openStore(loadConfig(env));
    try {
      expect(await store.conversations.scan({ limit: 10 })).toEqual([]);
      expect(await store.users.count()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
