import { Events } from 'discord.js';
import { cachedGuildFromGateway } from './guild-facts';
import { defineListener } from './listener';

/** A guild changed (name, icon, features…): refresh its `guilds_cache` entry. */
export const guildUpdateListener = defineListener(
  Events.GuildUpdate,
  async ({ db }, _old, guild) => {
    await db.upsertCachedGuild(cachedGuildFromGateway(guild));
  },
  (_old, guild) => guild.id,
);
