import { Events, type Guild } from 'discord.js';
import { cachedGuildFromGateway } from './guild-facts';
import { defineListener, type ListenerDeps } from './listener';

const CONCURRENCY = 8;

/**
 * The guilds the shards were in at login arrive without `guildCreate`: make sure each has its row
 * (a no-op write for known ones), and a `guilds_cache` entry when the row is new (joined while the
 * bot was offline).
 */
export const clientReadyListener = defineListener(Events.ClientReady, async (deps, client) => {
  const guilds = [...client.guilds.cache.values()].filter((guild) => guild.available);
  let next = 0;
  let created = 0;
  const worker = async (): Promise<void> => {
    for (let guild = guilds[next++]; guild; guild = guilds[next++]) {
      if (await reconcile(deps, guild)) created++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, guilds.length) }, worker));
  deps.logger.info({ guilds: guilds.length, created }, 'guild rows reconciled');
});

async function reconcile({ db }: ListenerDeps, guild: Guild): Promise<boolean> {
  const created = await db.ensureGuild(guild.id);
  if (created) await db.upsertCachedGuild(cachedGuildFromGateway(guild));
  return created;
}
