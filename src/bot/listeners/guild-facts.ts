import type { Guild } from 'discord.js';
import type { CachedGuildInput } from '../../db/api';
import { toCachedGuildInput } from '../lookups/guild-lookup';

/** A guild as the gateway shows it, in the `guilds_cache` shape (`update_source = bot_join`). */
export function cachedGuildFromGateway(guild: Guild): CachedGuildInput {
  return toCachedGuildInput(
    {
      id: guild.id,
      name: guild.name,
      icon: guild.icon,
      features: guild.features,
      memberCount: guild.memberCount ?? null,
      raw: {
        id: guild.id,
        name: guild.name,
        icon: guild.icon,
        description: guild.description,
        features: [...guild.features],
        owner_id: guild.ownerId,
        member_count: guild.memberCount ?? null,
        preferred_locale: guild.preferredLocale,
        premium_tier: guild.premiumTier,
        verification_level: guild.verificationLevel,
        vanity_url_code: guild.vanityURLCode,
      },
    },
    'bot_join',
  );
}
