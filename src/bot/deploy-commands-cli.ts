import { RateLimitError } from '@discordjs/rest';
import { configuredLogging, getConfig } from '../config';
import { ConfigError } from '../core/moddy-error';
import { runEntryPoint } from '../core/entry-point';
import type { Logger } from '../core/logger';
import { deployCommands } from './deploy-commands';

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

runEntryPoint('deploy-commands', main, configuredLogging);
