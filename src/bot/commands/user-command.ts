import { SlashCommandBuilder } from 'discord.js';
import { snowflakeDate } from '../../core/snowflake';
import type { Command } from '../command';
import { formatAge } from '../i18n';
import { formatDate } from './format';

export const userCommand: Command = {
  data: new SlashCommandBuilder()
    .setName('user')
    .setDescription('User tools')
    .setDescriptionLocalizations({ fr: 'Outils utilisateur' })
    .addSubcommand((sub) =>
      sub
        .setName('lookup')
        .setDescription('Show what Discord tells about a user')
        .setDescriptionLocalizations({ fr: 'Affiche ce que Discord dit d’un utilisateur' })
        .addStringOption((option) =>
          option.setName('id').setDescription('User ID').setDescriptionLocalizations({ fr: 'ID de l’utilisateur' }).setRequired(true),
        ),
    ),
  permission: 'everyone',

  async run({ interaction, userLookup, t, language, reply, defer }) {
    const id = interaction.options.getString('id', true).trim();
    const result = await userLookup.lookup(id, defer);
    if (!result.found) return reply(t('user.lookup.notFound', { id }));

    const age = formatAge(Date.now() - result.fetchedAt.getTime(), language);
    const { user } = result;
    await reply(
      t('user.lookup.result', {
        name: user.globalName ?? user.username,
        id: user.id,
        username: user.username,
        bot: user.bot ? t('common.yes') : t('common.no'),
        created: formatDate(snowflakeDate(user.id), language),
        source: result.source === 'cache' ? t('user.source.cache', { age }) : t('user.source.discord', { age }),
      }),
    );
  },
};
