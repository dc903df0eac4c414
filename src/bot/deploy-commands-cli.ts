import { RateLimitError, REST } from '@discordjs/rest';
import { Routes } from 'discord.js';
import { configuredLogging, getConfig } from '../config';
import { ConfigError } from '../core/moddy-error';
import { runEntryPoint } from '../core/entry-point';
import type { Logger } from '../core/logger';
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

/** `npm run deploy-commands`: DISCORD_TOKEN, DISCORD_APPLICATION_ID, DISCORD_API_URL, DEV_GUILD_ID (optional). */
async function main(logger: Logger): Promise<void> {
  const config = getConfig();
  const token = config.DISCORD_TOKEN;
  const applicationId = config.DISCORD_APPLICATION_ID;
  if (!token || !applicationId) {
    throw new ConfigError([...(token ? [] : ['DISCORD_TOKEN: required']), ...(applicationId ? [] : ['DISCORD_APPLICATION_ID: required'])]);
  }
  const count = await deployCommands({
    token,
    applicationId,
    apiUrl: config.DISCORD_API_URL,
    ...(config.DEV_GUILD_ID ? { guildId: config.DEV_GUILD_ID } : {}),
  }).catch((error: unknown) => {
    if (!(error instanceof RateLimitError)) throw error;
    // Said in one line with the wait: the daily command-creation limit answers with hours.
    logger.error({ route: error.route, retryAfterMs: error.retryAfter, global: error.global }, 'Discord rate-limits command registration');
    throw new Error(`Discord rate-limits command registration: try again in ${Math.ceil(error.retryAfter / 1000)} s`, { cause: error });
  });
  logger.info({ count, scope: config.DEV_GUILD_ID ? `guild ${config.DEV_GUILD_ID}` : 'global' }, 'slash commands registered');
}

if (require.main === module) runEntryPoint('deploy-commands', main, configuredLogging);
