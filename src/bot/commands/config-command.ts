import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { Command, CommandContext } from '../command';
import { CommandRefusedError, InvalidPrefixError, PREFIX_MAX_LENGTH } from '../command-errors';

/** 1 to 5 characters (counted as code points, so an emoji is one), no whitespace, control character or lone surrogate. */
export function validatePrefix(value: string): string {
  const length = [...value].length;
  if (length < 1 || length > PREFIX_MAX_LENGTH || /[\s\p{Cc}]/u.test(value) || !value.isWellFormed()) throw new InvalidPrefixError(value);
  return value;
}

function guildIdOf(ctx: CommandContext): string {
  const guildId = ctx.interaction.guildId;
  if (!guildId) throw new CommandRefusedError('guildOnly');
  return guildId;
}

export const configCommand: Command = {
  data: new SlashCommandBuilder()
    .setName('config')
    .setDescription('Server configuration')
    .setDescriptionLocalizations({ fr: 'Configuration du serveur' })
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((sub) =>
      sub
        .setName('prefix')
        .setDescription('Set the prefix of text commands')
        .setDescriptionLocalizations({ fr: 'Définit le préfixe des commandes texte' })
        .addStringOption((option) =>
          option
            .setName('value')
            .setDescription('1 to 5 characters')
            .setDescriptionLocalizations({ fr: '1 à 5 caractères' })
            .setRequired(true)
            .setMinLength(1)
            .setMaxLength(PREFIX_MAX_LENGTH),
        ),
    )
    .addSubcommand((sub) =>
      sub.setName('show').setDescription('Show the configuration').setDescriptionLocalizations({ fr: 'Affiche la configuration' }),
    ),
  permission: 'manageGuild',
  // `show` answers from the guild's record: read with the attributes rather than in round trips of its own.
  needs: { guildRecord: true },

  async run(ctx) {
    const guildId = guildIdOf(ctx);
    if (ctx.interaction.options.getSubcommand(true) === 'prefix') {
      const prefix = validatePrefix(ctx.interaction.options.getString('value', true));
      // The cache tier invalidates this guild on every shard as part of the write.
      await ctx.db.updateGuildData(guildId, 'config.prefix', prefix);
      return ctx.reply(ctx.t('config.prefix.set', { prefix }));
    }
    const guild = ctx.guildRecord === undefined ? await ctx.db.getGuild(guildId) : ctx.guildRecord;
    const config = guild?.data.config;
    const prefix = config && typeof config === 'object' && !Array.isArray(config) ? config.prefix : undefined;
    await ctx.reply(ctx.t('config.show', { prefix: typeof prefix === 'string' ? `\`${prefix}\`` : ctx.t('config.prefix.unset') }), {
      ephemeral: true,
    });
  },
};
