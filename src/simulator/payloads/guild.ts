import type {
  APIEmoji,
  APIGuild,
  APIGuildPreview,
  APIRole,
  APIUser,
  GatewayGuildCreateDispatchData,
  GuildFeature,
  GuildSystemChannelFlags,
  Locale,
  RoleFlags,
} from 'discord.js';
import type { GuildRecord, UserRecord } from '../types';
import { memberPayload } from './user';

export function rolePayload(role: GuildRecord['roles'][number]): APIRole {
  return {
    id: role.id,
    name: role.name,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: role.hoist,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions,
    managed: false,
    mentionable: role.mentionable,
    flags: 0 as RoleFlags,
  };
}

export function emojiPayload(emoji: GuildRecord['emojis'][number]): APIEmoji {
  return { id: emoji.id, name: emoji.name, roles: [], require_colons: true, managed: false, animated: emoji.animated, available: true };
}

/** The fields every simulated guild channel has (text, voice, category and announcement alike). */
export interface ChannelPayload {
  id: string;
  guild_id: string;
  name: string;
  type: number;
  position: number;
  parent_id: string | null;
  topic: string | null;
  nsfw: boolean;
  permission_overwrites: [];
  rate_limit_per_user: number;
  last_message_id: string | null;
  flags: number;
}

export function channelPayload(channel: GuildRecord['channels'][number], guildId: string): ChannelPayload {
  return {
    id: channel.id,
    guild_id: guildId,
    name: channel.name,
    type: channel.type,
    position: channel.position,
    parent_id: channel.parentId,
    topic: channel.topic,
    nsfw: false,
    permission_overwrites: [],
    rate_limit_per_user: 0,
    last_message_id: null,
    flags: 0,
  };
}

/** The bot's DM channel with a user (`GET /channels/:id` of a DM). */
export function dmChannelPayload(id: string, recipient: APIUser) {
  return { id, type: 1, flags: 0, last_message_id: null, recipients: [recipient] };
}

/** A guild in `GET /users/@me/guilds` (counts with `with_counts`). */
export function partialGuildPayload(guild: GuildRecord, withCounts: boolean) {
  const counts = withCounts ? { approximate_member_count: guild.memberCount, approximate_presence_count: guild.presenceCount } : {};
  return {
    id: guild.id,
    name: guild.name,
    icon: guild.icon,
    banner: null,
    owner: false,
    permissions: '0',
    features: guild.features,
    ...counts,
  };
}

/** Fields Discord sends (its OpenAPI description requires them) that discord-api-types leaves out. */
interface UntypedGuildFields {
  nsfw: boolean;
  home_header: string | null;
}
export type GuildPayload = APIGuild & UntypedGuildFields;

/** The guild object of `GET /guilds/:id` (and GUILD_UPDATE). */
export function guildPayload(guild: GuildRecord, options: { withCounts?: boolean } = {}): GuildPayload {
  const textChannel = guild.channels.find((channel) => channel.type === 0);
  const payload: GuildPayload = {
    id: guild.id,
    name: guild.name,
    icon: guild.icon,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: guild.description,
    home_header: null,
    owner_id: guild.ownerId,
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: guild.verificationLevel,
    default_message_notifications: 1,
    explicit_content_filter: guild.features.includes('COMMUNITY') ? 2 : 0,
    roles: guild.roles.map(rolePayload),
    emojis: guild.emojis.map(emojiPayload),
    stickers: [],
    features: guild.features as GuildFeature[],
    mfa_level: 0,
    application_id: null,
    system_channel_id: textChannel?.id ?? null,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: guild.features.includes('COMMUNITY') ? (textChannel?.id ?? null) : null,
    public_updates_channel_id: guild.features.includes('COMMUNITY') ? (textChannel?.id ?? null) : null,
    safety_alerts_channel_id: null,
    max_presences: null,
    max_members: 500000,
    vanity_url_code: guild.vanityUrlCode,
    premium_tier: guild.premiumTier,
    premium_subscription_count: [0, 2, 7, 14][guild.premiumTier] ?? 0,
    preferred_locale: guild.preferredLocale as Locale,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw: false,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    hub_type: null,
    incidents_data: null,
  };
  if (options.withCounts) {
    payload.approximate_member_count = guild.memberCount;
    payload.approximate_presence_count = guild.presenceCount;
  }
  return payload;
}

/**
 * GUILD_CREATE: the guild plus what the gateway adds (channels, the bot's member, counts…).
 * `largeThreshold`: the session's IDENTIFY `large_threshold`; a guild with more members is `large`.
 */
export function guildCreatePayload(
  guild: GuildRecord,
  users: ReadonlyMap<string, UserRecord>,
  largeThreshold: number,
): GatewayGuildCreateDispatchData {
  const members = guild.members.flatMap((member) => {
    const user = users.get(member.userId);
    return user ? [memberPayload(member, user)] : [];
  });
  return {
    ...guildPayload(guild),
    joined_at: guild.joinedAt,
    large: guild.memberCount > largeThreshold,
    unavailable: false,
    member_count: guild.memberCount,
    voice_states: [],
    members,
    channels: guild.channels.map((channel) => channelPayload(channel, guild.id)),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  } as GatewayGuildCreateDispatchData;
}

/** `GET /guilds/:id/preview`. */
export function guildPreviewPayload(guild: GuildRecord): APIGuildPreview & Pick<UntypedGuildFields, 'home_header'> {
  return {
    id: guild.id,
    name: guild.name,
    icon: guild.icon,
    splash: null,
    discovery_splash: null,
    emojis: guild.emojis.map(emojiPayload),
    stickers: [],
    features: guild.features as GuildFeature[],
    approximate_member_count: guild.memberCount,
    approximate_presence_count: guild.presenceCount,
    description: guild.description,
    home_header: null,
  };
}
