import { GatewayDispatchEvents, type Client } from 'discord.js';

/** Collections of a guild payload that no command or listener reads (docs/bot-cache.md): dropped before discord.js builds them. */
const UNREAD_COLLECTIONS = [
  'channels',
  'threads',
  'emojis',
  'stickers',
  'presences',
  'voice_states',
  'guild_scheduled_events',
  'soundboard_sounds',
  'stage_instances',
] as const;

/**
 * Empties the collections of GUILD_CREATE and GUILD_UPDATE that Moddy never reads, keeping the
 * guild's own fields, its @everyone role and the bot's own member. Channels and roles are the
 * bulk of a big guild and discord.js cannot limit their caches (`makeCache` on them "will break
 * functionality"), so they are kept from reaching the caches at all: discord.js emits each
 * dispatch on `client.ws` before it handles it, with the same object. test/bot/cache-policy.test.ts
 * checks that this still holds after a discord.js upgrade.
 */
export function trimGuildPayloads(client: Client): void {
  const trim = (data: unknown): void => {
    if (typeof data !== 'object' || data === null) return;
    const guild = data as Record<string, unknown>;
    for (const key of UNREAD_COLLECTIONS) if (Array.isArray(guild[key])) guild[key] = [];
    if (Array.isArray(guild.roles)) guild.roles = guild.roles.filter((role: { id?: unknown }) => role.id === guild.id);
    if (Array.isArray(guild.members)) {
      guild.members = guild.members.filter((member: { user?: { id?: unknown } }) => member.user?.id === client.user?.id);
    }
  };
  client.ws.on(GatewayDispatchEvents.GuildCreate, trim);
  client.ws.on(GatewayDispatchEvents.GuildUpdate, trim);
}
