import type { Command } from 'commander';
import { cliAction } from '../cli-context.js';
import { usageError } from '../cli-error.js';
import { commandGroup } from './command-group.js';

const EXAMPLE = `
The user can no longer sign in or use a token, and every session they had ends: with REDIS_URL
set (as serving nodes share it), their open real-time connections close at once.

Exit codes: 0 disabled (or already disabled), 1 the store failed, 2 bad arguments or no such user.`;

/** `switchboard users disable ID`: what `PUT /v1/users/{id}` with `disabled: true` does. */
export function registerUsersDisable(program: Command): void {
  commandGroup(program, 'users', 'Users as the host app describes them')
    .command('disable')
    .description('Disable a user and end every session they have')
    .argument('<id>', "the user's id (the host app's)")
    .addHelpText('after', EXAMPLE)
    .action(cliAction(async (context, id: string) => {
      const { users, store } = await context.services();
      const existing = await store.users.byId(id);
      if (!existing) throw usageError(`no user with id ${id}`);
      if (existing.disabled) {
        context.streams.stdout.write(`user ${id} was already disabled (its sessions ended then)\n`);
        return;
      }
      await users.upsert(context.actor, id, { disabled: true });
      context.streams.stdout.write(`user ${id} disabled; every session ended\n`);
    }));
}
