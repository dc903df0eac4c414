import { REST } from '@discordjs/rest';
import { Routes } from 'discord.js';
import type { Command } from './command';
import { COMMANDS } from './commands';

export interface DeployOptions {
  token: string;
  applicationId: string;
  /** `DISCORD_API_URL`. */
  apiUrl: string;
  /** Registers in this guild only (instant, for development) instead of globally. */
  guildId?: string;
  commands?: readonly Command[];
  /**
   * A rate limit announcing a longer wait fails the deployment with `RateLimitError` instead of
   * waiting (Discord's daily command-creation limit answers with hours). Shorter ones are waited
   * out. Default 60 000 ms.
   */
  maxRateLimitWaitMs?: number;
}

/** Replaces the application's slash commands with the bot's (one bulk PUT); returns how many Discord holds. */
export async function deployCommands(options: DeployOptions): Promise<number> {
  const maxWaitMs = options.maxRateLimitWaitMs ?? 60_000;
  const rest = new REST({ api: options.apiUrl, rejectOnRateLimit: (limit) => limit.retryAfter > maxWaitMs }).setToken(options.token);
  try {
    const route = options.guildId
      ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
      : Routes.applicationCommands(options.applicationId);
    const body = (options.commands ?? COMMANDS).map((command) => command.data.toJSON());
    const registered = (await rest.put(route, { body })) as unknown[];
    return registered.length;
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
