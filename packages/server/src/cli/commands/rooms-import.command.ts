import type { Command } from 'commander';
import { Type, type Static } from 'typebox';
import type { ContextRoomInput } from '../../conversations/conversation.service.js';
import type { ValidationResult } from '../../core/validation.js';
import { cliAction, type CliContext } from '../cli-context.js';
import { ExitCode } from '../cli-error.js';
import { describeDetails, ImportTally } from '../import-tally.js';
import { countNdjsonLines, ndjsonLines, requireReadable, type NdjsonLine } from '../ndjson-lines.js';
import { positiveInteger } from '../option-parsers.js';
import { commandGroup } from './command-group.js';

const Strict = { additionalProperties: false } as const;
const Slug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
const UserId = Type.String({ minLength: 1, maxLength: 200 });

/** One line of a rooms file: the rules of `PUT /v1/conversations/by-context/{type}/{id}`'s body. */
const RoomLine = Type.Object(
  {
    context: Type.Object({ type: Slug, id: Type.String({ minLength: 1, maxLength: 200 }) }, Strict),
    type: Type.Optional(Slug),
    title: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    participants: Type.Array(Type.Union([UserId, Type.Object({ user_id: UserId, role: Type.Optional(Slug) }, Strict)]), { maxItems: 500 }),
  },
  Strict,
);
type LineCheck = (value: unknown) => ValidationResult<Static<typeof RoomLine>>;
let compiled: LineCheck | undefined;

/** The line validator, compiled on first use so that `--help` does not pay for it. */
async function lineCheck(): Promise<LineCheck> {
  const { compileValidator } = await import('../../core/validation.js');
  compiled ??= compileValidator(RoomLine);
  return compiled;
}

/** Rooms written per transaction: big enough to make 10,000 rooms quick, small enough to retry. */
const DEFAULT_BATCH = 500;

const EXAMPLE = `
Each line is one host object and everyone in its conversation (users must exist: import them
first with \`switchboard users import\`):
  {"context":{"type":"job","id":"J-1001"},"title":"Job J-1001","participants":["cust-7",{"user_id":"prov-3","role":"provider"}]}

Exit codes: 0 every line imported, 1 the store failed, 2 bad arguments or some lines failed.`;

/**
 * `switchboard rooms import FILE`: MoreVans' `create_chat_rooms`. Each line creates the host
 * object's conversation or brings its participants to the list given, as the host app's PUT by
 * context does; importing the same file again changes nothing.
 */
export function registerRoomsImport(program: Command): void {
  commandGroup(program, 'rooms', 'Conversations of host objects (trips, jobs, bids, tickets)')
    .command('import')
    .description('Create or update the conversations of host objects from an NDJSON file (idempotent)')
    .argument('<file>', 'NDJSON file, one host object with its participants per line')
    .option('--strict', 'check every line (shape and users) first and import nothing if any is bad', false)
    .option('--batch-size <n>', 'rooms written per transaction', positiveInteger, DEFAULT_BATCH)
    .addHelpText('after', EXAMPLE)
    .action(cliAction(async (context, file: string, options: { strict: boolean; batchSize: number }) => {
      await requireReadable(file);
      const total = await countNdjsonLines(file);
      if (options.strict && !(await allLinesGood(context, file))) return ExitCode.badInput;
      return importRooms(context, file, total, options.batchSize);
    }));
}

interface PendingRoom {
  readonly lineNumber: number;
  readonly room: ContextRoomInput;
}

async function importRooms(context: CliContext, file: string, total: number, batchSize: number): Promise<ExitCode> {
  const check = await lineCheck();
  const { conversations } = await context.services();
  const tally = new ImportTally(context, 'rooms import');
  const progress = context.progress('rooms import', total);
  let batch: PendingRoom[] = [];
  const flush = async () => {
    const results = await conversations.ensureManyForContext(context.actor, batch.map((p) => p.room));
    results.forEach((result, i) => (result.ok ? tally.count(result.outcome) : tally.fail(batch[i]!.lineNumber, `${result.error.code}: ${result.error.message}`)));
    progress.increment(batch.length);
    batch = [];
  };
  try {
    for await (const line of ndjsonLines(file)) {
      const parsed = parseRoom(line, check);
      if (typeof parsed === 'string') {
        tally.fail(line.lineNumber, parsed);
        progress.increment();
        continue;
      }
      batch.push({ lineNumber: line.lineNumber, room: parsed });
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    progress.stop();
  }
  return tally.finish();
}

/** The room a line states, or why it states none. */
function parseRoom(line: NdjsonLine, check: LineCheck): ContextRoomInput | string {
  if (!line.ok) return line.problem;
  const checked = check(line.value);
  if (!checked.ok) return describeDetails(checked.details);
  return toRoom(checked.value);
}

function toRoom(line: Static<typeof RoomLine>): ContextRoomInput {
  const participants = line.participants.map((p) => (typeof p === 'string' ? { userId: p } : { userId: p.user_id, ...(p.role !== undefined && { role: p.role }) }));
  return {
    context: line.context,
    // As the PUT by context does: without a type, the conversation is of its context's type.
    type: line.type ?? line.context.type,
    title: line.title ?? null,
    metadata: line.metadata ?? {},
    participants,
  };
}

/** `--strict`: every line well formed and every participant a known user, or nothing is written. */
async function allLinesGood(context: CliContext, file: string): Promise<boolean> {
  const check = await lineCheck();
  const store = await context.store();
  let bad = 0;
  const report = (lineNumber: number, problem: string) => {
    bad++;
    context.say(`line ${lineNumber}: ${problem}`);
  };
  for await (const line of ndjsonLines(file)) {
    const parsed = parseRoom(line, check);
    if (typeof parsed === 'string') {
      report(line.lineNumber, parsed);
      continue;
    }
    const ids = [...new Set(parsed.participants.map((p) => p.userId))];
    const known = new Set((await store.users.byIds(ids)).map((u) => u.id));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) report(line.lineNumber, `user_not_found: Unknown user: ${missing.join(', ')}`);
  }
  if (bad > 0) context.say(`rooms import: ${bad} bad lines; --strict: nothing imported`);
  return bad === 0;
}
