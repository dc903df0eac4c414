import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import type { Attributes } from '../attributes/registry';
import type { CommandPermission } from './command';
import { CommandRefusedError } from './command-errors';

export interface PermissionInput {
  interaction: Pick<ChatInputCommandInteraction, 'inGuild' | 'memberPermissions' | 'user'>;
  userAttributes: Attributes;
  ownerIds: ReadonlySet<string>;
}

export function isDeveloper(userId: string, userAttributes: Attributes, ownerIds: ReadonlySet<string>): boolean {
  return userAttributes.DEVELOPER === true || ownerIds.has(userId);
}

/** Throws the `CommandRefusedError` the dispatcher turns into a localised ephemeral refusal. */
export function assertPermitted(permission: CommandPermission, { interaction, userAttributes, ownerIds }: PermissionInput): void {
  switch (permission) {
    case 'everyone':
      return;
    case 'manageGuild':
      if (!interaction.inGuild()) throw new CommandRefusedError('guildOnly');
      if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) throw new CommandRefusedError('manageGuild');
      return;
    case 'developer':
      if (!isDeveloper(interaction.user.id, userAttributes, ownerIds)) throw new CommandRefusedError('developer');
      return;
  }
}
