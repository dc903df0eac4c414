import type { REST } from '@discordjs/rest';
import type { ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Language } from '../attributes/registry';
import type { Logger } from '../core/logger';
import type { GuildRecord, InteractionAttributes, ModdyDatabase } from '../db/api';
import type { Translate } from './i18n';
import type { UserLookup } from './lookups/user-lookup';
import type { FleetView } from '../cluster/fleet';

/**
 * Who may run a command, enforced by the dispatcher before `run`:
 * - `everyone`;
 * - `manageGuild`: in a server, with the Manage Server permission;
 * - `developer`: users with the `DEVELOPER` attribute or listed in `BOT_OWNER_IDS` (refusals are logged).
 */
export type CommandPermission = 'everyone' | 'manageGuild' | 'developer';

/** What a command gets: the interaction, its language and the collaborators it may use. */
export interface CommandContext {
  interaction: ChatInputCommandInteraction;
  db: ModdyDatabase;
  /** The caller's and the guild's attributes, already read by the middleware. */
  attributes: InteractionAttributes;
  /** The guild's record, read with the attributes, when the command `needs` it in a guild; `null`: no row. */
  guildRecord?: GuildRecord | null;
  language: Language;
  t: Translate;
  logger: Logger;
  /** Discord's REST API (the client's, so it honours `DISCORD_API_URL`). */
  rest: REST;
  userLookup: UserLookup;
  /** How long a lookup may wait for Discord before answering "try again later" (`DiscordBusyError`). */
  lookupDeadlineMs: number;
  /** Every host of the bot as registered in Redis (`/dev stats`); absent outside a bot process. */
  fleet?: () => Promise<FleetView>;
  /** Replies once (or edits a deferred reply); mentions in the text never ping. */
  reply(content: string, options?: { ephemeral?: boolean }): Promise<void>;
  /** Acknowledges now (Discord allows 3 s) before slow work such as a call to Discord; `reply` then edits it. */
  defer(): Promise<void>;
}

export interface Command {
  /** The slash command as registered with Discord (a `SlashCommandBuilder`). */
  data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  permission: CommandPermission;
  /** Data the middleware reads with the attributes, in the same round trips, for `run`. Default: nothing more. */
  needs?: { guildRecord?: boolean };
  run(ctx: CommandContext): Promise<void>;
}

/** `guild lookup`, `dev attribute set`: the command and its subcommand (group) names. */
export function commandPath(interaction: ChatInputCommandInteraction): string {
  const group = interaction.options.getSubcommandGroup(false);
  const sub = interaction.options.getSubcommand(false);
  return [interaction.commandName, group, sub].filter((part): part is string => typeof part === 'string' && part.length > 0).join(' ');
}
