import { configuredLogging, getConfig } from '../config';
import { runEntryPoint, signalReady } from '../core/entry-point';
import type { Logger } from '../core/logger';
import { closeOnSignal } from '../core/shutdown';
import { DEV_TOKEN } from './options';
import { seedWorld } from './seed';
import { DiscordSimulator } from './simulator';

/**
 * Standalone simulator for the demo and pm2: a seeded world on SIMULATOR_HOST:SIMULATOR_PORT.
 * Point the bot at it with DISCORD_API_URL=<printed api URL> and DISCORD_TOKEN=<the token>.
 */
async function main(logger: Logger): Promise<void> {
  const config = getConfig();
  const world = seedWorld({ seed: config.SIMULATOR_SEED, guildCount: config.SIMULATOR_GUILDS });
  const simulator = new DiscordSimulator({
    host: config.SIMULATOR_HOST,
    port: config.SIMULATOR_PORT,
    token: config.SIMULATOR_TOKEN ?? DEV_TOKEN,
    guilds: world.guilds,
    users: world.users,
    logger,
  });
  await simulator.start();
  // What the bot's configuration must say to talk to this simulator (the dev token is not a secret).
  const logChannel = world.guilds[0]?.channels?.find((channel) => channel.name === 'mod-log')?.id;
  logger.info(
    {
      DISCORD_API_URL: simulator.apiUrl,
      DISCORD_TOKEN: config.SIMULATOR_TOKEN === undefined ? DEV_TOKEN : '(SIMULATOR_TOKEN)',
      DISCORD_APPLICATION_ID: simulator.options.applicationId,
      ERROR_LOG_CHANNEL_ID: logChannel,
      guilds: world.guilds.length,
    },
    `Discord simulator ready at ${simulator.apiUrl}`,
  );

  closeOnSignal(() => simulator.stop(), logger);
  signalReady();
}

runEntryPoint('simulator', main, configuredLogging);
