import type { Command } from '../command';
import { configCommand } from './config-command';
import { devCommand } from './dev-command';
import { guildCommand } from './guild-command';
import { userCommand } from './user-command';

/** Every slash command of the bot; `deploy-commands` registers exactly these. */
export const COMMANDS: readonly Command[] = [guildCommand, userCommand, configCommand, devCommand];

export type CommandRegistry = ReadonlyMap<string, Command>;

export function createCommandRegistry(commands: readonly Command[] = COMMANDS): CommandRegistry {
  const registry = new Map<string, Command>();
  for (const command of commands) {
    if (registry.has(command.data.name)) throw new Error(`Two commands are named ${command.data.name}`);
    registry.set(command.data.name, command);
  }
  return registry;
}
