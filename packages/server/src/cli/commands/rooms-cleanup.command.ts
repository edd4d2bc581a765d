import type { Command } from 'commander';
import type { Conversation } from '../../core/model.js';
import { cliAction, type CliContext } from '../cli-context.js';
import { positiveInteger } from '../option-parsers.js';
import { commandGroup } from './command-group.js';

/** Conversations read per page while looking for idle ones. */
const PAGE = 1000;
const DAY_MS = 86_400_000;

const EXAMPLE = `
A room is inactive when nothing happened in it (no message, no change) for --days days and it is
not archived or closed already; support cases are left to their own lifecycle. Archived rooms
stay readable and exportable; sending to them is refused.

Examples:
  switchboard rooms cleanup --days 30 --dry-run   # list what would be archived, change nothing
  switchboard rooms cleanup --days 30

Exit codes: 0 done, 1 the store failed, 2 bad arguments.`;

/**
 * `switchboard rooms cleanup --days N [--dry-run]`: MoreVans' `cleanup_chat_rooms`. Archives the
 * rooms idle for N days, each announced as a conversation update so open connections hear of it.
 */
export function registerRoomsCleanup(program: Command): void {
  commandGroup(program, 'rooms', 'Conversations of host objects (trips, jobs, bids, tickets)')
    .command('cleanup')
    .description('Archive rooms with no activity for N days')
    .requiredOption('--days <n>', 'days without activity that make a room inactive', positiveInteger)
    .option('--dry-run', 'list and count the rooms that would be archived, and write nothing', false)
    .addHelpText('after', EXAMPLE)
    .action(cliAction(async (context, options: { days: number; dryRun: boolean }) => {
      const before = new Date(Date.now() - options.days * DAY_MS).toISOString();
      const candidates = await inactiveRooms(context, before);
      if (options.dryRun) {
        for (const room of candidates) context.streams.stdout.write(`would archive ${describe(room)}\n`);
        context.streams.stdout.write(`rooms cleanup (dry run): ${candidates.length} rooms inactive since before ${before} would be archived\n`);
        return;
      }
      const archived = await archiveAll(context, candidates, before);
      const skipped = candidates.length - archived;
      context.streams.stdout.write(`rooms cleanup: archived ${archived} rooms inactive since before ${before}${skipped > 0 ? ` (${skipped} became active meanwhile and were kept)` : ''}\n`);
    }));
}

async function inactiveRooms(context: CliContext, before: string): Promise<Conversation[]> {
  const { conversations } = await context.services();
  const found: Conversation[] = [];
  for (;;) {
    const page = await conversations.inactive(context.actor, { before, limit: PAGE, ...(found.length > 0 && { afterId: found.at(-1)!.id }) });
    found.push(...page);
    if (page.length < PAGE) return found;
  }
}

async function archiveAll(context: CliContext, rooms: readonly Conversation[], before: string): Promise<number> {
  const { conversations } = await context.services();
  const progress = context.progress('rooms cleanup', rooms.length);
  let archived = 0;
  try {
    for (const room of rooms) {
      if (await conversations.archiveIfInactive(context.actor, room.id, before)) archived++;
      progress.increment();
    }
  } finally {
    progress.stop();
  }
  return archived;
}

function describe(room: Conversation): string {
  const context = room.context ? ` ${room.context.type}:${room.context.id}` : '';
  return `${room.id}${context} (${room.type}, ${room.status}, last activity ${room.lastActivityAt})`;
}
