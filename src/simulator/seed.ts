import { prng } from './random';
import { SnowflakeFactory } from './snowflake';
import { ChannelKind, type ChannelSeed, type EmojiSeed, type GuildSeed, type MemberSeed, type RoleSeed, type UserSeed } from './types';

export interface SeedOptions {
  /** PRNG seed: the same seed gives the same world. Default: 1. */
  seed?: number;
  /** Guilds the bot is in. Default: 30. */
  guildCount?: number;
  /** Extra public (discoverable) guilds the bot is NOT in, for preview lookups. Default: 3. */
  publicGuildsWithoutBot?: number;
  /** Users (guild owners, moderators, members). Default: 60. */
  userCount?: number;
  /**
   * Guilds as big as their member counts: channels, roles and custom emojis growing with the
   * member count (hundreds in the biggest guilds), and every member listed for guilds at or below
   * Discord's large threshold (`LARGE_THRESHOLD`), as GUILD_CREATE sends them; bigger guilds list a
   * few members only, as Discord does without the privileged intents. For memory measurements.
   * Default: false (a few channels, three roles, a few members: small worlds for tests).
   */
  realistic?: boolean;
}

/** discord.js's default `large_threshold`: Discord sends every member of guilds at or below it in GUILD_CREATE. */
export const LARGE_THRESHOLD = 50;

export interface SeededWorld {
  guilds: GuildSeed[];
  users: UserSeed[];
}

const ADJECTIVES = [
  'Cozy',
  'Midnight',
  'Pixel',
  'Crimson',
  'Lunar',
  'Quiet',
  'Golden',
  'Neon',
  'Wild',
  'Frozen',
  'Velvet',
  'Cosmic',
  'Rusty',
  'Emerald',
  'Silent',
];
const NOUNS = [
  'Lounge',
  'Guild',
  'Hub',
  'Arcade',
  'Tavern',
  'Collective',
  'Workshop',
  'Café',
  'Academy',
  'Outpost',
  'Den',
  'Harbor',
  'Club',
  'Forge',
  'Garden',
];
const TOPICS = [
  'Gaming',
  'Anime',
  'Art',
  'Music',
  'Study',
  'Coding',
  'Minecraft',
  'Memes',
  'Photography',
  'Speedrun',
  'Esports',
  'Writing',
];
const HANDLES = [
  'fox',
  'otter',
  'nova',
  'ember',
  'kiwi',
  'raven',
  'maple',
  'echo',
  'blaze',
  'comet',
  'pixel',
  'sable',
  'zephyr',
  'juniper',
  'onyx',
  'lark',
];
const LOCALES = ['en-US', 'en-US', 'en-US', 'fr', 'de', 'es-ES', 'pt-BR', 'en-GB', 'ja', 'pl', 'it', 'nl'];

const PERMISSION = {
  Administrator: 1n << 3n,
  KickMembers: 1n << 1n,
  BanMembers: 1n << 2n,
  ManageGuild: 1n << 5n,
  ManageMessages: 1n << 13n,
  ModerateMembers: 1n << 40n,
};
const MODERATOR_PERMISSIONS = (
  PERMISSION.KickMembers |
  PERMISSION.BanMembers |
  PERMISSION.ManageGuild |
  PERMISSION.ManageMessages |
  PERMISSION.ModerateMembers
).toString();

const YEAR_MS = 365.25 * 24 * 3600 * 1000;
const GUILDS_FROM = Date.UTC(2016, 0, 1);
const USERS_FROM = Date.UTC(2015, 5, 1);
const UNTIL = Date.UTC(2024, 11, 31);

/**
 * A deterministic, realistic world for the demo and tests: guilds with valid snowflakes spread over
 * 2016–2024 (so they spread over shards), names, member counts from tiny to huge, COMMUNITY and
 * discoverable guilds with a public preview, roles, channels and a few members each.
 */
export function seedWorld(options: SeedOptions = {}): SeededWorld {
  const random = prng(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => pickFrom(items, random);
  const between = (from: number, to: number): number => from + random() * (to - from);
  const hash = (): string => Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  // Worker bits differ per kind so guild and user IDs never collide.
  const userIds = new SnowflakeFactory(2);
  const guildIds = new SnowflakeFactory(3);

  const users: UserSeed[] = Array.from({ length: options.userCount ?? 60 }, (_, index) => {
    const handle = `${pick(HANDLES)}_${pick(HANDLES)}${index}`;
    return {
      id: userIds.next(between(USERS_FROM, UNTIL)),
      username: handle,
      globalName: handle
        .replace(/_/g, ' ')
        .replace(/\d+$/, '')
        .replace(/\b\w/g, (letter) => letter.toUpperCase()),
      avatar: random() < 0.7 ? hash() : null,
    };
  });
  if (users.length === 0) throw new RangeError('seedWorld needs at least one user');

  const guildCount = options.guildCount ?? 30;
  const total = guildCount + (options.publicGuildsWithoutBot ?? 3);
  const guilds: GuildSeed[] = [];
  for (let index = 0; index < total; index++) {
    const botInGuild = index < guildCount;
    const createdAt = between(GUILDS_FROM, UNTIL - YEAR_MS / 12);
    const id = guildIds.next(createdAt);
    // Log-uniform sizes: most guilds are small, a few are huge.
    const memberCount = Math.round(Math.exp(between(Math.log(5), Math.log(250_000))));
    const discoverable = !botInGuild || (memberCount > 1000 && random() < 0.4);
    const community = discoverable || (memberCount > 200 && random() < 0.5);
    const features = community ? ['COMMUNITY', 'NEWS', 'WELCOME_SCREEN_ENABLED', 'MEMBER_VERIFICATION_GATE_ENABLED'] : [];
    if (discoverable) features.push('DISCOVERABLE', 'PREVIEW_ENABLED');
    const vanity = discoverable && memberCount > 20_000;
    if (vanity) features.push('VANITY_URL');
    const name = `${pick(ADJECTIVES)} ${pick(TOPICS)} ${pick(NOUNS)}`;
    const channels = seedChannels(id, community);
    const roles: RoleSeed[] = [
      { id: (BigInt(id) + 10n).toString(), name: 'Admin', permissions: PERMISSION.Administrator.toString(), color: 0xe74c3c, hoist: true },
      { id: (BigInt(id) + 11n).toString(), name: 'Moderator', permissions: MODERATOR_PERMISSIONS, color: 0x3498db, hoist: true },
      { id: (BigInt(id) + 12n).toString(), name: 'Member', permissions: '0', color: 0x95a5a6 },
    ];
    const owner = pick(users);
    const members: MemberSeed[] = [{ userId: owner.id, roles: [roles[0]!.id], joinedAt: new Date(createdAt).toISOString() }];
    const extra = 2 + Math.floor(random() * 4);
    for (let count = 0; count < extra; count++) {
      const user = pick(users);
      if (members.some((member) => member.userId === user.id)) continue;
      const role = count === 0 ? roles[1]! : roles[2]!;
      members.push({ userId: user.id, roles: [role.id], joinedAt: new Date(between(createdAt, UNTIL)).toISOString() });
    }
    const emojis: EmojiSeed[] = [];
    if (options.realistic) {
      const size = realisticSize(memberCount, random);
      channels.push(...extraChannels(id, size.channels - channels.length, random));
      roles.push(...extraRoles(id, size.roles - roles.length, random));
      emojis.push(
        ...Array.from({ length: size.emojis }, (_, n) => ({
          id: offsetId(id, EMOJI_OFFSET + n),
          name: `emoji_${n}`,
          animated: random() < 0.3,
        })),
      );
      if (memberCount <= LARGE_THRESHOLD) fillMembers(members, Math.min(memberCount, users.length), users, random, roles[2]!.id, createdAt);
    }
    guilds.push({
      id,
      name,
      ownerId: owner.id,
      icon: random() < 0.8 ? hash() : null,
      description: discoverable ? `A friendly ${name.split(' ')[1]!.toLowerCase()} community. Everyone welcome!` : null,
      features,
      memberCount,
      presenceCount: Math.round(memberCount * between(0.05, 0.4)),
      preferredLocale: pick(LOCALES),
      discoverable,
      botInGuild,
      joinedAt: new Date(between(createdAt, UNTIL)).toISOString(),
      verificationLevel: community ? 2 : Math.floor(random() * 2),
      premiumTier: memberCount > 5000 ? Math.floor(random() * 4) : 0,
      vanityUrlCode: vanity ? name.toLowerCase().replace(/[^a-z]+/g, '') : null,
      channels,
      roles,
      emojis,
      members,
    });
  }
  return { guilds, users };
}

/** Offsets from the guild's ID of its realistic channels, roles and emojis: distinct ranges, so IDs never collide. */
const CHANNEL_OFFSET = 100;
const ROLE_OFFSET = 1000;
const EMOJI_OFFSET = 2000;

const offsetId = (guildId: string, offset: number): string => (BigInt(guildId) + BigInt(offset)).toString();

/** Member count → channels, roles, emojis (log-linear between these points, as real guilds grow). */
const SIZE_POINTS: readonly (readonly [members: number, channels: number, roles: number, emojis: number])[] = [
  [10, 6, 4, 0],
  [100, 15, 10, 8],
  [1_000, 40, 25, 40],
  [10_000, 100, 60, 120],
  [100_000, 250, 150, 250],
  [250_000, 300, 200, 300],
];

function realisticSize(memberCount: number, random: () => number): { channels: number; roles: number; emojis: number } {
  const x = Math.log10(Math.max(10, memberCount));
  let index = SIZE_POINTS.findIndex(([members]) => Math.log10(members) >= x);
  if (index <= 0) index = 1;
  const low = SIZE_POINTS[index - 1]!;
  const high = SIZE_POINTS[index]!;
  const at = (x - Math.log10(low[0])) / (Math.log10(high[0]) - Math.log10(low[0]));
  const jitter = () => 0.7 + random() * 0.6;
  const value = (column: 1 | 2 | 3, max: number) => Math.min(max, Math.round((low[column] + (high[column] - low[column]) * at) * jitter()));
  // Discord's ceilings: 500 channels, 250 roles, 500 emojis (250 static + 250 animated at boost level 3).
  return { channels: value(1, 500), roles: value(2, 250), emojis: value(3, 500) };
}

/** Text, voice and announcement channels in categories of about eight. */
function extraChannels(guildId: string, count: number, random: () => number): ChannelSeed[] {
  const channels: ChannelSeed[] = [];
  let category: string | null = null;
  for (let n = 0; n < count; n++) {
    const id = offsetId(guildId, CHANNEL_OFFSET + n);
    if (n % 9 === 0) {
      category = id;
      channels.push({ id, name: `${pickFrom(TOPICS, random)} ${n / 9 + 1}`, type: ChannelKind.Category, position: 10 + n });
      continue;
    }
    const roll = random();
    const type = roll < 0.2 ? ChannelKind.Voice : roll < 0.25 ? ChannelKind.Announcement : ChannelKind.Text;
    channels.push({
      id,
      name: `${pickFrom(HANDLES, random)}-${n}`,
      type,
      position: 10 + n,
      parentId: category,
      topic: type === ChannelKind.Voice ? null : 'Talk here',
    });
  }
  return channels;
}

function extraRoles(guildId: string, count: number, random: () => number): RoleSeed[] {
  return Array.from({ length: Math.max(0, count) }, (_, n) => ({
    id: offsetId(guildId, ROLE_OFFSET + n),
    name: `${pickFrom(ADJECTIVES, random)} ${pickFrom(HANDLES, random)}`,
    permissions: '0',
    color: Math.floor(random() * 0xffffff),
    position: 4 + n,
    hoist: random() < 0.1,
    mentionable: random() < 0.3,
  }));
}

/** Adds distinct users as plain members until the guild lists `count`. */
function fillMembers(
  members: MemberSeed[],
  count: number,
  users: readonly UserSeed[],
  random: () => number,
  roleId: string,
  createdAt: number,
): void {
  const present = new Set(members.map((member) => member.userId));
  while (members.length < count) {
    const user = pickFrom(users, random);
    if (present.has(user.id)) continue;
    present.add(user.id);
    members.push({
      userId: user.id,
      roles: random() < 0.5 ? [roleId] : [],
      joinedAt: new Date(createdAt + random() * (UNTIL - createdAt)).toISOString(),
    });
  }
}

function pickFrom<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Channel IDs derive from the guild's, so they are valid snowflakes from the same instant. */
function seedChannels(guildId: string, community: boolean): ChannelSeed[] {
  const id = (offset: number): string => (BigInt(guildId) + BigInt(offset)).toString();
  const category = id(1);
  const channels: ChannelSeed[] = [
    { id: category, name: 'Text Channels', type: ChannelKind.Category, position: 0 },
    { id: id(2), name: 'general', type: ChannelKind.Text, position: 1, parentId: category, topic: 'Chat about anything' },
    { id: id(3), name: 'mod-log', type: ChannelKind.Text, position: 2, parentId: category },
    { id: id(4), name: 'Lounge', type: ChannelKind.Voice, position: 3, parentId: category },
  ];
  if (community) {
    channels.push(
      { id: id(5), name: 'rules', type: ChannelKind.Text, position: 4, parentId: category },
      { id: id(6), name: 'announcements', type: ChannelKind.Announcement, position: 5, parentId: category },
    );
  }
  return channels;
}
