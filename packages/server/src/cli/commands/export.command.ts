import { Option, type Command } from 'commander';
import type { Conversation } from '../../core/model.js';
import type { Store } from '../../storage/store.js';
import { streamSink, writeFileAtomically, type TextSink } from '../atomic-file.js';
import { cliAction } from '../cli-context.js';
import { usageError } from '../cli-error.js';
import { allConversations, writeExport, type ExportFormat } from '../conversation-export.js';

interface ExportOptions {
  conversation?: string;
  context?: string;
  all: boolean;
  format: ExportFormat;
  out?: string;
}

const EXAMPLE = `
Exactly one of --conversation, --context or --all. Archived and closed conversations are
exported like any other; hidden, deleted and shadowed messages keep their flags and content.

Examples:
  switchboard export --context job:J-1001
  switchboard export --all --format json --out backup.json

Exit codes: 0 done, 1 the store or the file failed, 2 bad arguments or no such conversation.`;

/** `switchboard export`: conversations with participants and every message, as NDJSON or JSON. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Export conversations with their participants and messages')
    .option('--conversation <id>', 'one conversation by id')
    .option('--context <type:id>', 'the conversation of one host object (job:J-1001)')
    .option('--all', 'every conversation', false)
    .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'json']).default('ndjson'))
    .option('--out <file>', 'write to this file (atomically: whole or not at all) instead of stdout')
    .addHelpText('after', EXAMPLE)
    .action(cliAction(async (context, options: ExportOptions) => {
      const chosen = [options.conversation !== undefined, options.context !== undefined, options.all].filter(Boolean).length;
      if (chosen !== 1) throw usageError('choose exactly one of --conversation ID, --context TYPE:ID or --all');
      const store = await context.store();
      const selection = options.all ? allConversations(store) : one(await single(store, options));
      const progress = context.progress('export (conversations)', undefined);
      let conversations = 0;
      const produce = (sink: TextSink) => writeExport(store, selection, options.format, sink, () => (conversations++, progress.increment()));
      const messages = options.out === undefined ? await produce(streamSink(context.streams.stdout)) : await writeFileAtomically(options.out, produce);
      progress.stop();
      context.say(`export: ${conversations} conversations, ${messages} messages${options.out === undefined ? '' : ` written to ${options.out}`}`);
    }));
}

/** The one conversation `--conversation` or `--context` names; a usage error when there is none. */
async function single(store: Store, options: ExportOptions): Promise<Conversation> {
  if (options.conversation !== undefined) {
    const found = await store.conversations.byId(options.conversation);
    if (!found) throw usageError(`no conversation with id ${options.conversation}`);
    return found;
  }
  const [type, ...rest] = options.context!.split(':');
  const id = rest.join(':');
  if (!type || !id) throw usageError(`--context must be TYPE:ID (job:J-1001), not ${options.context}`);
  const found = await store.conversations.byContext({ type, id });
  if (!found) throw usageError(`no conversation for context ${type}:${id}`);
  return found;
}

async function* one(conversation: Conversation): AsyncGenerator<readonly Conversation[]> {
  yield [conversation];
}
