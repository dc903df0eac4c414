import type { APIApplicationCommandInteractionDataOption, APIChatInputApplicationCommandInteraction } from 'discord.js';
import { SimulatorInputError } from '../simulator-errors';
import type { GuildRecord, UserRecord } from '../types';
import { channelPayload, rolePayload } from './guild';
import { memberPayload, userPayload } from './user';

/** Application command option types (Discord's numeric `type`). */
const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Number: 10,
} as const;

/**
 * A command option value. Plain values infer their type (string, integer, number, boolean); user,
 * channel and role options name the ID and the simulator fills `data.resolved` like Discord does.
 */
export type OptionValue =
  | string
  | number
  | boolean
  | { type: 'user' | 'channel' | 'role'; id: string }
  | { type: 'string'; value: string }
  | { type: 'integer'; value: number }
  | { type: 'number'; value: number };

/** Every permission bit Discord currently defines: what an administrator's `permissions` shows. */
const ALL_PERMISSIONS = ((1n << 51n) - 1n).toString();
const ADMINISTRATOR = 1n << 3n;
/** A bot invited with typical moderation permissions. */
export const DEFAULT_APP_PERMISSIONS = '1099511627775';

export interface InteractionContext {
  id: string;
  token: string;
  applicationId: string;
  commandId: string;
  commandGuildId: string | null;
  user: UserRecord;
  guild: GuildRecord | null;
  channel: { id: string; guildChannel: GuildRecord['channels'][number] | null };
  /** Member permissions override (bitfield string); default: computed from the member's roles. */
  permissions?: string;
  roles?: string[];
  locale: string;
  guildLocale?: string;
  appPermissions: string;
  command: string;
  subcommandGroup?: string;
  subcommand?: string;
  options: Record<string, OptionValue>;
  users: ReadonlyMap<string, UserRecord>;
}

function memberPermissions(guild: GuildRecord, userId: string, roles: string[]): string {
  if (guild.ownerId === userId) return ALL_PERMISSIONS;
  let bits = 0n;
  for (const role of guild.roles) if (role.id === guild.id || roles.includes(role.id)) bits |= BigInt(role.permissions);
  return bits & ADMINISTRATOR ? ALL_PERMISSIONS : bits.toString();
}

type Resolved = NonNullable<APIChatInputApplicationCommandInteraction['data']['resolved']>;

function leafOption(
  name: string,
  value: OptionValue,
  context: InteractionContext,
  resolved: Resolved,
): APIApplicationCommandInteractionDataOption {
  if (typeof value === 'string') return { name, type: OptionType.String, value };
  if (typeof value === 'boolean') return { name, type: OptionType.Boolean, value };
  if (typeof value === 'number') return { name, type: Number.isInteger(value) ? OptionType.Integer : OptionType.Number, value };
  if (value.type === 'string') return { name, type: OptionType.String, value: value.value };
  if (value.type === 'integer') return { name, type: OptionType.Integer, value: value.value };
  if (value.type === 'number') return { name, type: OptionType.Number, value: value.value };
  if (value.type === 'user') {
    const user = context.users.get(value.id);
    if (!user) throw new SimulatorInputError(`option ${name}: unknown user ${value.id}`);
    (resolved.users ??= {})[user.id] = userPayload(user);
    const member = context.guild?.members.find((candidate) => candidate.userId === user.id);
    if (member && context.guild) {
      const { user: _user, ...partial } = memberPayload(member, user);
      (resolved.members ??= {})[user.id] = { ...partial, permissions: memberPermissions(context.guild, user.id, member.roles) };
    }
    return { name, type: OptionType.User, value: user.id };
  }
  if (value.type === 'channel') {
    const channel = context.guild?.channels.find((candidate) => candidate.id === value.id);
    if (!channel || !context.guild) throw new SimulatorInputError(`option ${name}: unknown channel ${value.id} in this guild`);
    const payload = channelPayload(channel, context.guild.id);
    (resolved.channels ??= {})[channel.id] = {
      id: payload.id,
      name: payload.name,
      type: payload.type,
      parent_id: payload.parent_id,
      permissions: ALL_PERMISSIONS,
    } as NonNullable<Resolved['channels']>[string];
    return { name, type: OptionType.Channel, value: channel.id };
  }
  const role = context.guild?.roles.find((candidate) => candidate.id === value.id);
  if (!role) throw new SimulatorInputError(`option ${name}: unknown role ${value.id} in this guild`);
  (resolved.roles ??= {})[role.id] = rolePayload(role);
  return { name, type: OptionType.Role, value: role.id };
}

/** Nests options the way Discord does: group → subcommand → leaf options. */
function commandOptions(context: InteractionContext, resolved: Resolved): APIApplicationCommandInteractionDataOption[] {
  const leaves = Object.entries(context.options).map(([name, value]) => leafOption(name, value, context, resolved));
  if (context.subcommandGroup && !context.subcommand) throw new SimulatorInputError('a subcommand group needs a subcommand');
  if (!context.subcommand) return leaves;
  const subcommand = {
    name: context.subcommand,
    type: OptionType.Subcommand,
    options: leaves,
  } as APIApplicationCommandInteractionDataOption;
  if (!context.subcommandGroup) return [subcommand];
  return [
    {
      name: context.subcommandGroup,
      type: OptionType.SubcommandGroup,
      options: [subcommand],
    } as APIApplicationCommandInteractionDataOption,
  ];
}

/** A CHAT_INPUT INTERACTION_CREATE payload as Discord sends it (guild or bot DM context). */
export function chatInputInteractionPayload(context: InteractionContext): APIChatInputApplicationCommandInteraction {
  const resolved: Resolved = {};
  const options = commandOptions(context, resolved);
  const { guild, user } = context;
  const data = {
    id: context.commandId,
    name: context.command,
    type: 1,
    ...(context.commandGuildId ? { guild_id: context.commandGuildId } : {}),
    ...(options.length > 0 ? { options } : {}),
    ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
  };
  const common = {
    id: context.id,
    application_id: context.applicationId,
    type: 2,
    token: context.token,
    version: 1,
    data,
    channel_id: context.channel.id,
    locale: context.locale,
    app_permissions: context.appPermissions,
    entitlements: [],
    attachment_size_limit: 10 * 1024 * 1024,
  };
  if (!guild) {
    return {
      ...common,
      user: userPayload(user),
      channel: { id: context.channel.id, type: 1, recipients: [userPayload(user)], last_message_id: null, flags: 0 },
      authorizing_integration_owners: { '1': user.id },
      context: 1,
    } as unknown as APIChatInputApplicationCommandInteraction;
  }
  const membership = guild.members.find((member) => member.userId === user.id);
  const roles = context.roles ?? membership?.roles ?? [];
  const guildChannel = context.channel.guildChannel;
  return {
    ...common,
    guild_id: guild.id,
    guild: { id: guild.id, locale: guild.preferredLocale, features: guild.features },
    guild_locale: context.guildLocale ?? guild.preferredLocale,
    member: {
      ...memberPayload(
        { userId: user.id, roles, joinedAt: membership?.joinedAt ?? new Date().toISOString(), nick: membership?.nick ?? null },
        user,
      ),
      permissions: context.permissions ?? memberPermissions(guild, user.id, roles),
      unusual_dm_activity_until: null,
    },
    channel: guildChannel
      ? { ...channelPayload(guildChannel, guild.id), permissions: ALL_PERMISSIONS }
      : { id: context.channel.id, type: 0 },
    authorizing_integration_owners: { '0': guild.id },
    context: 0,
  } as unknown as APIChatInputApplicationCommandInteraction;
}
