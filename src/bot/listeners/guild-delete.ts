import { Events } from 'discord.js';
import { defineListener } from './listener';

/**
 * The bot left (or was removed from) a guild: the row is marked inactive, never deleted. A guild
 * going unavailable in an outage is not a leave: discord.js reports it as `guildUnavailable`, and
 * an unavailable guild reaching here is ignored all the same.
 */
export const guildDeleteListener = defineListener(
  Events.GuildDelete,
  async ({ db, logger }, guild) => {
    if (!guild.available) return;
    const deactivated = await db.deactivateGuild(guild.id);
    logger.info({ guildId: guild.id, deactivated }, 'left guild');
  },
  (guild) => guild.id,
);
