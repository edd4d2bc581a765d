import type { Command } from 'commander';
import { registerServe } from './serve.command.js';
import { registerMigrate } from './migrate.command.js';
import { registerRoomsImport } from './rooms-import.command.js';
import { registerRoomsCleanup } from './rooms-cleanup.command.js';
import { registerExport } from './export.command.js';
import { registerUsersImport } from './users-import.command.js';
import { registerUsersDisable } from './users-disable.command.js';
import { registerAnalytics } from './analytics.command.js';

/** Adds one command (or one subcommand of a group) to the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every command of `switchboard`, in the order `--help` lists them. A new command is a file in
 * this folder exporting its `registerX` and one line here.
 */
export const commands: readonly RegisterCommand[] = [
  registerServe,
  registerMigrate,
  registerRoomsImport,
  registerRoomsCleanup,
  registerExport,
  registerUsersImport,
  registerUsersDisable,
  registerAnalytics,
];
