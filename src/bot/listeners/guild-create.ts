import { Events } from 'discord.js';
import { cachedGuildFromGateway } from './guild-facts';
import { defineListener } from './listener';

/** The bot joined a guild: its row (created, or reactivated after a leave) and a fresh `guilds_cache` entry. */
export const guildCreateListener = defineListener(
  Events.GuildCreate,
  async ({ db, logger }, guild) => {
    const created = await db.ensureGuild(guild.id);
    await db.upsertCachedGuild(cachedGuildFromGateway(guild));
    logger.info({ guildId: guild.id, created }, 'joined guild');
  },
  (guild) => guild.id,
);
