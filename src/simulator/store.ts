import type { APIMessage } from 'discord.js';
import { MessageNonces } from './message-nonces';
import { SimulatorInputError } from './simulator-errors';
import { SnowflakeFactory, snowflakeTimestamp } from './snowflake';
import type { ChannelSeed, GuildRecord, GuildSeed, MemberSeed, RoleSeed, UserRecord, UserSeed } from './types';
import { ChangeFeed } from './wait';

/** Which messages `GET /channels/:id/messages` returns: up to `limit`, around/before/after a message ID. */
export interface MessagePage {
  limit: number;
  before?: string;
  after?: string;
  around?: string;
}

/** Discord's default @everyone permissions (view channels, send messages, read history, …). */
const EVERYONE_PERMISSIONS = '1071698660929';
const SNOWFLAKE = /^[1-9][0-9]{16,19}$/;

function assertId(value: string, label: string): void {
  if (!SNOWFLAKE.test(value)) throw new SimulatorInputError(`${label} must be a snowflake string, got ${JSON.stringify(value)}`);
}

function normaliseUser(seed: UserSeed): UserRecord {
  assertId(seed.id, 'user id');
  return { id: seed.id, username: seed.username, globalName: seed.globalName ?? null, avatar: seed.avatar ?? null, bot: seed.bot ?? false };
}

function normaliseChannel(seed: ChannelSeed, index: number): Required<ChannelSeed> {
  assertId(seed.id, 'channel id');
  return {
    id: seed.id,
    name: seed.name,
    type: seed.type ?? 0,
    position: seed.position ?? index,
    parentId: seed.parentId ?? null,
    topic: seed.topic ?? null,
  };
}

function normaliseRole(seed: RoleSeed, index: number): Required<RoleSeed> {
  assertId(seed.id, 'role id');
  return {
    id: seed.id,
    name: seed.name,
    permissions: seed.permissions,
    color: seed.color ?? 0,
    position: seed.position ?? index + 1,
    hoist: seed.hoist ?? false,
    mentionable: seed.mentionable ?? false,
  };
}

/**
 * Everything the fake Discord knows: guilds (including ones the bot is not in, for previews),
 * users, channel messages. Mutations notify the change feed so waiters re-check.
 */
export class SimulatorStore {
  readonly changes = new ChangeFeed();
  readonly snowflakes = new SnowflakeFactory();
  /** Recent messages by nonce, for `enforce_nonce`. */
  readonly nonces = new MessageNonces();
  readonly users = new Map<string, UserRecord>();
  private readonly guilds = new Map<string, GuildRecord>();
  private readonly channelGuild = new Map<string, string>();
  private readonly channelMessages = new Map<string, APIMessage[]>();
  /** DM channel ID per user (the bot's DM with them), minted on first use, and the reverse. */
  private readonly dmChannels = new Map<string, string>();
  private readonly dmRecipients = new Map<string, string>();

  constructor(readonly botUser: UserRecord) {
    this.users.set(botUser.id, botUser);
  }

  putUser(seed: UserSeed): UserRecord {
    const user = normaliseUser(seed);
    this.users.set(user.id, user);
    this.changes.notify();
    return user;
  }

  user(id: string): UserRecord | undefined {
    return this.users.get(id);
  }

  /** Adds or replaces a guild, filling defaults. */
  putGuild(seed: GuildSeed): GuildRecord {
    const guild = this.normaliseGuild(seed);
    const previous = this.guilds.get(guild.id);
    for (const channel of previous?.channels ?? []) this.channelGuild.delete(channel.id);
    for (const channel of guild.channels) this.channelGuild.set(channel.id, guild.id);
    this.guilds.set(guild.id, guild);
    this.changes.notify();
    return guild;
  }

  /** Applies a patch to an existing guild (same defaults rules as `putGuild`). */
  patchGuild(id: string, patch: Partial<Omit<GuildSeed, 'id'>>): GuildRecord {
    const current = this.guilds.get(id);
    if (!current) throw new SimulatorInputError(`unknown guild ${id}`);
    return this.putGuild({ ...current, ...patch, id });
  }

  setBotInGuild(id: string, present: boolean): GuildRecord {
    const guild = this.guilds.get(id);
    if (!guild) throw new SimulatorInputError(`unknown guild ${id}`);
    guild.botInGuild = present;
    guild.joinedAt = present ? new Date().toISOString() : guild.joinedAt;
    guild.members = guild.members.filter((member) => member.userId !== this.botUser.id);
    if (present) guild.members.push(this.botMembership(guild.joinedAt));
    this.changes.notify();
    return guild;
  }

  guild(id: string): GuildRecord | undefined {
    return this.guilds.get(id);
  }

  /** Guilds the bot is a member of. */
  joinedGuilds(): GuildRecord[] {
    return [...this.guilds.values()].filter((guild) => guild.botInGuild);
  }

  channel(id: string): { guild: GuildRecord; channel: GuildRecord['channels'][number] } | undefined {
    const guild = this.guilds.get(this.channelGuild.get(id) ?? '');
    const channel = guild?.channels.find((candidate) => candidate.id === id);
    return guild && channel ? { guild, channel } : undefined;
  }

  /** The bot's DM channel with a user. */
  dmChannel(userId: string): string {
    let id = this.dmChannels.get(userId);
    if (!id) {
      id = this.snowflakes.next();
      this.dmChannels.set(userId, id);
      this.dmRecipients.set(id, userId);
    }
    return id;
  }

  /** The user on the other side of one of the bot's DM channels, if `id` is one. */
  dmRecipient(id: string): UserRecord | undefined {
    const userId = this.dmRecipients.get(id);
    return userId === undefined ? undefined : this.users.get(userId);
  }

  /** Makes `userId` a member of the guild if it is not one yet (an interaction implies membership). */
  ensureMember(guild: GuildRecord, userId: string): GuildRecord['members'][number] {
    const existing = guild.members.find((member) => member.userId === userId);
    if (existing) return existing;
    const member = { userId, roles: [], joinedAt: new Date().toISOString(), nick: null };
    guild.members.push(member);
    return member;
  }

  addMessage(message: APIMessage): void {
    const list = this.channelMessages.get(message.channel_id) ?? [];
    list.push(message);
    this.channelMessages.set(message.channel_id, list);
    this.nonces.remember(message);
    this.changes.notify();
  }

  replaceMessage(message: APIMessage): void {
    const list = this.channelMessages.get(message.channel_id) ?? [];
    const index = list.findIndex((candidate) => candidate.id === message.id);
    if (index >= 0) list[index] = message;
    this.changes.notify();
  }

  /** A deleted message leaves its channel's history. */
  deleteMessage(message: APIMessage): void {
    const list = this.channelMessages.get(message.channel_id);
    if (list)
      this.channelMessages.set(
        message.channel_id,
        list.filter((candidate) => candidate.id !== message.id),
      );
    this.changes.notify();
  }

  messages(channelId: string): APIMessage[] {
    return [...(this.channelMessages.get(channelId) ?? [])];
  }

  /** A page of a channel's history, newest first, as `GET /channels/:id/messages` pages it. */
  messagePage(channelId: string, page: MessagePage): APIMessage[] {
    const all = this.channelMessages.get(channelId) ?? [];
    const id = (message: APIMessage) => BigInt(message.id);
    if (page.around !== undefined) {
      const pivot = BigInt(page.around);
      const before = all.filter((message) => id(message) < pivot).slice(-Math.floor(page.limit / 2));
      const rest = all.filter((message) => id(message) >= pivot).slice(0, page.limit - before.length);
      return [...before, ...rest].reverse();
    }
    if (page.after !== undefined) {
      const after = BigInt(page.after);
      return all
        .filter((message) => id(message) > after)
        .slice(0, page.limit)
        .reverse();
    }
    const before = page.before === undefined ? null : BigInt(page.before);
    return all
      .filter((message) => before === null || id(message) < before)
      .slice(-page.limit)
      .reverse();
  }

  private botMembership(joinedAt: string): Required<MemberSeed> {
    return { userId: this.botUser.id, roles: [], joinedAt, nick: null };
  }

  private normaliseGuild(seed: GuildSeed): GuildRecord {
    assertId(seed.id, 'guild id');
    const created = snowflakeTimestamp(seed.id);
    const botInGuild = seed.botInGuild ?? true;
    const joinedAt = seed.joinedAt ?? new Date().toISOString();
    const members = (seed.members ?? [])
      .filter((member) => member.userId !== this.botUser.id)
      .map((member) => {
        assertId(member.userId, 'member user id');
        return { userId: member.userId, roles: member.roles ?? [], joinedAt: member.joinedAt ?? created, nick: member.nick ?? null };
      });
    if (botInGuild) members.push(this.botMembership(joinedAt));
    const channels = (seed.channels ?? [{ id: (BigInt(seed.id) + 1n).toString(), name: 'general' }]).map(normaliseChannel);
    const everyone: Required<RoleSeed> = {
      id: seed.id,
      name: '@everyone',
      permissions: EVERYONE_PERMISSIONS,
      color: 0,
      position: 0,
      hoist: false,
      mentionable: false,
    };
    const roles = [everyone, ...(seed.roles ?? []).filter((role) => role.id !== seed.id).map(normaliseRole)];
    const memberCount = seed.memberCount ?? members.length;
    return {
      id: seed.id,
      name: seed.name,
      ownerId: seed.ownerId ?? members[0]?.userId ?? this.botUser.id,
      icon: seed.icon ?? null,
      description: seed.description ?? null,
      features: seed.features ?? [],
      memberCount,
      presenceCount: seed.presenceCount ?? Math.ceil(memberCount / 3),
      preferredLocale: seed.preferredLocale ?? 'en-US',
      discoverable: seed.discoverable ?? false,
      botInGuild,
      joinedAt,
      verificationLevel: seed.verificationLevel ?? 1,
      premiumTier: seed.premiumTier ?? 0,
      vanityUrlCode: seed.vanityUrlCode ?? null,
      channels,
      roles,
      emojis: (seed.emojis ?? []).map((emoji) => {
        assertId(emoji.id, 'emoji id');
        return { id: emoji.id, name: emoji.name, animated: emoji.animated ?? false };
      }),
      members,
    };
  }
}
