/**
 * Seed data accepted by the simulator. Only the identifying fields are required; everything else
 * gets a realistic default (see `store.ts`), so a test can write `addGuild({ id, name })`.
 */

/** A Discord user (or bot account). */
export interface UserSeed {
  id: string;
  username: string;
  globalName?: string | null;
  avatar?: string | null;
  bot?: boolean;
}

export interface RoleSeed {
  id: string;
  name: string;
  /** Permission bitfield as a decimal string, as Discord sends it. */
  permissions: string;
  color?: number;
  position?: number;
  hoist?: boolean;
  mentionable?: boolean;
}

/** A custom emoji of a guild. */
export interface EmojiSeed {
  id: string;
  name: string;
  /** Default: false. */
  animated?: boolean;
}

/** Channel types used by the simulator (Discord's numeric `type`). */
export const ChannelKind = { Text: 0, Voice: 2, Category: 4, Announcement: 5 } as const;
export type ChannelKindValue = (typeof ChannelKind)[keyof typeof ChannelKind];

export interface ChannelSeed {
  id: string;
  name: string;
  /** Default: text (0). */
  type?: ChannelKindValue;
  position?: number;
  parentId?: string | null;
  topic?: string | null;
}

/** A user's membership in a guild. The user must also exist (seeded or added with `addUser`). */
export interface MemberSeed {
  userId: string;
  roles?: string[];
  /** ISO timestamp; default: the guild's creation time plus a little. */
  joinedAt?: string;
  nick?: string | null;
}

export interface GuildSeed {
  id: string;
  name: string;
  /** Default: the first member's user, else the bot's own ID. */
  ownerId?: string;
  icon?: string | null;
  description?: string | null;
  /** Discord guild features, e.g. COMMUNITY, DISCOVERABLE, PREVIEW_ENABLED. Default: none. */
  features?: string[];
  /** Total members as Discord counts them (approximate_member_count, member_count). Default: members.length + 1. */
  memberCount?: number;
  /** Members online (approximate_presence_count). Default: a third of memberCount. */
  presenceCount?: number;
  /** Default: en-US. */
  preferredLocale?: string;
  /** Public guild: `GET /guilds/:id/preview` works even when the bot is not in it. Default: false. */
  discoverable?: boolean;
  /** Whether the bot is a member (gets GUILD_CREATE, can GET the guild). Default: true. */
  botInGuild?: boolean;
  /** When the bot joined (ISO). Default: now. */
  joinedAt?: string;
  verificationLevel?: number;
  premiumTier?: number;
  vanityUrlCode?: string | null;
  /** Default: a #general text channel whose ID is derived from the guild's. */
  channels?: ChannelSeed[];
  /** The @everyone role (ID = guild ID) is always added. */
  roles?: RoleSeed[];
  /** Custom emojis. Default: none. */
  emojis?: EmojiSeed[];
  members?: MemberSeed[];
}

/** A guild as the simulator keeps it: the seed with every default filled in. */
export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  icon: string | null;
  description: string | null;
  features: string[];
  memberCount: number;
  presenceCount: number;
  preferredLocale: string;
  discoverable: boolean;
  botInGuild: boolean;
  joinedAt: string;
  verificationLevel: number;
  premiumTier: number;
  vanityUrlCode: string | null;
  channels: Required<ChannelSeed>[];
  roles: Required<RoleSeed>[];
  emojis: Required<EmojiSeed>[];
  members: Required<MemberSeed>[];
}

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  avatar: string | null;
  bot: boolean;
}
