import { prng } from './random';
import { SnowflakeFactory } from './snowflake';
import { ChannelKind, type ChannelSeed, type GuildSeed, type MemberSeed, type RoleSeed, type UserSeed } from './types';

export interface SeedOptions {
  /** PRNG seed: the same seed gives the same world. Default: 1. */
  seed?: number;
  /** Guilds the bot is in. Default: 30. */
  guildCount?: number;
  /** Extra public (discoverable) guilds the bot is NOT in, for preview lookups. Default: 3. */
  publicGuildsWithoutBot?: number;
  /** Users (guild owners, moderators, members). Default: 60. */
  userCount?: number;
}

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
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
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
      members,
    });
  }
  return { guilds, users };
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
