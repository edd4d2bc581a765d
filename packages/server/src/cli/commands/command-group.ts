import type { Command } from 'commander';

/**
 * The group command (`rooms`, `users`) under which subcommands in separate files register; made
 * on first use, so each subcommand's file stands alone and the order of registration is free.
 */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((command) => command.name() === name) ?? program.command(name).description(description);
}
