import type { Command } from 'commander';
import { Type, type Static } from 'typebox';
import { AppError } from '../../core/errors.js';
import type { ValidationResult } from '../../core/validation.js';
import type { UpsertUserInput } from '../../users/user.service.js';
import { cliAction, type CliContext } from '../cli-context.js';
import { ExitCode } from '../cli-error.js';
import { describeDetails, ImportTally } from '../import-tally.js';
import { countNdjsonLines, ndjsonLines, requireReadable, type NdjsonLine } from '../ndjson-lines.js';
import { commandGroup } from './command-group.js';

const Strict = { additionalProperties: false } as const;
const Name = Type.String({ minLength: 1, maxLength: 200 });
const NullableName = Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()]));

/** One line of a users file: the rules of `PUT /v1/users/{id}`, with the id in the line. */
const UserLine = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.Union([Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }), Type.Null()])),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
    display_name: Type.Optional(Name),
    first_name: NullableName,
    last_name: NullableName,
    roles: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 20 }),
    profile: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    disabled: Type.Optional(Type.Boolean()),
  },
  Strict,
);
type LineCheck = (value: unknown) => ValidationResult<Static<typeof UserLine>>;
let compiled: LineCheck | undefined;

/** The line validator, compiled on first use so that `--help` does not pay for it. */
async function lineCheck(): Promise<LineCheck> {
  const { compileValidator } = await import('../../core/validation.js');
  compiled ??= compileValidator(UserLine);
  return compiled;
}

const EXAMPLE = `
Each line is one user, by the host app's id (roles required; a password is optional and stored
hashed, for people who sign in to Switchboard itself):
  {"id":"cust-7","email":"ana@example.com","display_name":"Ana","roles":["morevans_customer"]}
  {"id":"prov-3","first_name":"Ben","last_name":"Osei","roles":["provider"],"password":"s3cret-pass"}

Exit codes: 0 every line imported, 1 the store failed, 2 bad arguments or some lines failed.`;

/** `switchboard users import FILE`: creates or updates users as `PUT /v1/users/{id}` does. */
export function registerUsersImport(program: Command): void {
  commandGroup(program, 'users', 'Users as the host app describes them')
    .command('import')
    .description('Create or update users from an NDJSON file (idempotent)')
    .argument('<file>', 'NDJSON file, one user per line')
    .option('--strict', 'check every line first and import nothing if any is malformed', false)
    .addHelpText('after', EXAMPLE)
    .action(cliAction(async (context, file: string, options: { strict: boolean }) => {
      await requireReadable(file);
      const total = await countNdjsonLines(file);
      if (options.strict && !(await allLinesWellFormed(context, file))) return ExitCode.badInput;
      return importUsers(context, file, total);
    }));
}

async function importUsers(context: CliContext, file: string, total: number): Promise<ExitCode> {
  const check = await lineCheck();
  const { users } = await context.services();
  const tally = new ImportTally(context, 'users import');
  const progress = context.progress('users import', total);
  try {
    for await (const line of ndjsonLines(file)) {
      const parsed = parseUser(line, check);
      if (typeof parsed === 'string') tally.fail(line.lineNumber, parsed);
      else {
        try {
          tally.count((await users.importUser(context.actor, parsed.id, parsed.input)).outcome);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          tally.fail(line.lineNumber, `${error.code}: ${error.message}`);
        }
      }
      progress.increment();
    }
  } finally {
    progress.stop();
  }
  return tally.finish();
}

function parseUser(line: NdjsonLine, check: LineCheck): { id: string; input: UpsertUserInput } | string {
  if (!line.ok) return line.problem;
  const checked = check(line.value);
  if (!checked.ok) return describeDetails(checked.details);
  return { id: checked.value.id, input: toInput(checked.value) };
}

function toInput(line: Static<typeof UserLine>): UpsertUserInput {
  return {
    roles: line.roles,
    ...(line.email !== undefined && { email: line.email }),
    ...(line.password !== undefined && { password: line.password }),
    ...(line.display_name !== undefined && { displayName: line.display_name }),
    ...(line.first_name !== undefined && { firstName: line.first_name }),
    ...(line.last_name !== undefined && { lastName: line.last_name }),
    ...(line.profile !== undefined && { profile: line.profile }),
    ...(line.disabled !== undefined && { disabled: line.disabled }),
  };
}

async function allLinesWellFormed(context: CliContext, file: string): Promise<boolean> {
  const check = await lineCheck();
  let bad = 0;
  for await (const line of ndjsonLines(file)) {
    const parsed = parseUser(line, check);
    if (typeof parsed !== 'string') continue;
    bad++;
    context.say(`line ${line.lineNumber}: ${parsed}`);
  }
  if (bad > 0) context.say(`users import: ${bad} bad lines; --strict: nothing imported`);
  return bad === 0;
}
