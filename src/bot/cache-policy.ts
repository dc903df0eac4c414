import { Options, type CacheFactory, type CacheWithLimitsOptions, type SweeperOptions } from 'discord.js';

/**
 * What Moddy keeps of discord.js's caches. Every command reads the interaction's own payload (the
 * member's permissions, the guild ID, the options) and Moddy's data API; only the listeners read
 * the guild objects (`client.guilds.cache` at ready, the guild of GUILD_UPDATE / GUILD_DELETE). So
 * guilds stay cached and every other cache that can be limited holds nothing beyond the bot's own
 * user and member. Channels, roles and permission overwrites cannot be limited (discord.js: "will
 * break functionality") and stay as the gateway sends them. Per command: docs/bot-cache.md.
 */
export const MODDY_CACHE_LIMITS: CacheWithLimitsOptions = {
  ...Options.DefaultMakeCacheSettings,
  ApplicationCommandManager: 0,
  ApplicationEmojiManager: 0,
  AutoModerationRuleManager: 0,
  BaseGuildEmojiManager: 0,
  DMMessageManager: 0,
  EntitlementManager: 0,
  GuildBanManager: 0,
  GuildEmojiManager: 0,
  GuildForumThreadManager: 0,
  GuildInviteManager: 0,
  // The bot's own member stays: discord.js reads it (`guild.members.me`) for its own permission checks.
  GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
  GuildMessageManager: 0,
  GuildScheduledEventManager: 0,
  GuildStickerManager: 0,
  GuildTextThreadManager: 0,
  MessageManager: 0,
  PresenceManager: 0,
  ReactionManager: 0,
  ReactionUserManager: 0,
  StageInstanceManager: 0,
  ThreadManager: 0,
  ThreadMemberManager: 0,
  // `client.user` is also kept in the users cache; nobody else is (an interaction's user comes with it).
  UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user.id },
  VoiceStateManager: 0,
};

export interface CachePolicy {
  makeCache: CacheFactory;
  sweepers: SweeperOptions;
}

/**
 * The `makeCache` and `sweepers` client options. The limited caches never fill, so they need no
 * sweeper; threads live in the channel caches too, which cannot be limited, so discord.js's
 * default thread sweeper (archived threads, hourly) stays.
 */
export function moddyCachePolicy(): CachePolicy {
  return { makeCache: Options.cacheWithLimits(MODDY_CACHE_LIMITS), sweepers: { ...Options.DefaultSweeperSettings } };
}
