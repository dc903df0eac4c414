import { ApplicationFlag } from '../payloads/application';

/** Discord's gateway intents (`GatewayIntentBits`) the simulator knows. */
export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildModeration: 1 << 2,
  GuildExpressions: 1 << 3,
  GuildIntegrations: 1 << 4,
  GuildWebhooks: 1 << 5,
  GuildInvites: 1 << 6,
  GuildVoiceStates: 1 << 7,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  GuildMessageTyping: 1 << 11,
  DirectMessages: 1 << 12,
  DirectMessageReactions: 1 << 13,
  DirectMessageTyping: 1 << 14,
  MessageContent: 1 << 15,
  GuildScheduledEvents: 1 << 16,
  AutoModerationConfiguration: 1 << 20,
  AutoModerationExecution: 1 << 21,
  GuildMessagePolls: 1 << 24,
  DirectMessagePolls: 1 << 25,
} as const;

const ALL_INTENTS = Object.values(Intent).reduce((all, bit) => all | bit, 0);

/** Privileged intents and the application flags (full or limited) that approve each. */
const PRIVILEGED: { intent: number; approvedBy: number }[] = [
  { intent: Intent.GuildMembers, approvedBy: ApplicationFlag.GatewayGuildMembers | ApplicationFlag.GatewayGuildMembersLimited },
  { intent: Intent.GuildPresences, approvedBy: ApplicationFlag.GatewayPresence | ApplicationFlag.GatewayPresenceLimited },
  { intent: Intent.MessageContent, approvedBy: ApplicationFlag.GatewayMessageContent | ApplicationFlag.GatewayMessageContentLimited },
];

/** Why an IDENTIFY's intents are refused: 4013 (not a valid bitfield) or 4014 (privileged, not approved); null when fine. */
export function intentsProblem(intents: unknown, applicationFlags: number): 'invalid' | 'disallowed' | null {
  if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0) return 'invalid';
  const unapproved = PRIVILEGED.some(({ intent, approvedBy }) => (intents & intent) !== 0 && (applicationFlags & approvedBy) === 0);
  return unapproved ? 'disallowed' : null;
}

/**
 * The intent a dispatch needs, by event name (Discord's intents table). Events not listed (READY,
 * RESUMED, INTERACTION_CREATE, …) are always sent. Guild vs DM variants are told apart by `guild_id`.
 */
const EVENT_INTENTS: Record<string, number | { guild: number; dm: number }> = {
  GUILD_CREATE: Intent.Guilds,
  GUILD_UPDATE: Intent.Guilds,
  GUILD_DELETE: Intent.Guilds,
  GUILD_ROLE_CREATE: Intent.Guilds,
  GUILD_ROLE_UPDATE: Intent.Guilds,
  GUILD_ROLE_DELETE: Intent.Guilds,
  CHANNEL_CREATE: Intent.Guilds,
  CHANNEL_UPDATE: Intent.Guilds,
  CHANNEL_DELETE: Intent.Guilds,
  THREAD_CREATE: Intent.Guilds,
  THREAD_UPDATE: Intent.Guilds,
  THREAD_DELETE: Intent.Guilds,
  GUILD_MEMBER_ADD: Intent.GuildMembers,
  GUILD_MEMBER_UPDATE: Intent.GuildMembers,
  GUILD_MEMBER_REMOVE: Intent.GuildMembers,
  GUILD_BAN_ADD: Intent.GuildModeration,
  GUILD_BAN_REMOVE: Intent.GuildModeration,
  GUILD_AUDIT_LOG_ENTRY_CREATE: Intent.GuildModeration,
  PRESENCE_UPDATE: Intent.GuildPresences,
  VOICE_STATE_UPDATE: Intent.GuildVoiceStates,
  INVITE_CREATE: Intent.GuildInvites,
  INVITE_DELETE: Intent.GuildInvites,
  MESSAGE_CREATE: { guild: Intent.GuildMessages, dm: Intent.DirectMessages },
  MESSAGE_UPDATE: { guild: Intent.GuildMessages, dm: Intent.DirectMessages },
  MESSAGE_DELETE: { guild: Intent.GuildMessages, dm: Intent.DirectMessages },
  MESSAGE_REACTION_ADD: { guild: Intent.GuildMessageReactions, dm: Intent.DirectMessageReactions },
  MESSAGE_REACTION_REMOVE: { guild: Intent.GuildMessageReactions, dm: Intent.DirectMessageReactions },
  TYPING_START: { guild: Intent.GuildMessageTyping, dm: Intent.DirectMessageTyping },
};

/** Whether a session with `intents` receives event `t` (for a guild, or a DM when `guildId` is null). */
export function wantsEvent(intents: number, t: string, guildId: string | null): boolean {
  const needed = EVENT_INTENTS[t];
  if (needed === undefined) return true;
  const bit = typeof needed === 'number' ? needed : guildId === null ? needed.dm : needed.guild;
  return (intents & bit) !== 0;
}
