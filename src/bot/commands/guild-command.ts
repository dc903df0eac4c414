import { SlashCommandBuilder } from 'discord.js';
import type { Command } from '../command';
import { formatAge } from '../i18n';
import { lookupGuild } from '../lookups/guild-lookup';
import { formatDate } from './format';

export const guildCommand: Command = {
  data: new SlashCommandBuilder()
    .setName('guild')
    .setDescription('Server tools')
    .setDescriptionLocalizations({ fr: 'Outils serveur' })
    .addSubcommand((sub) =>
      sub
        .setName('lookup')
        .setDescription('Show what Discord tells about a server')
        .setDescriptionLocalizations({ fr: 'Affiche ce que Discord dit d’un serveur' })
        .addStringOption((option) =>
          option.setName('id').setDescription('Server ID').setDescriptionLocalizations({ fr: 'ID du serveur' }).setRequired(true),
        ),
    ),
  permission: 'everyone',

  async run({ interaction, db, rest, t, language, reply, defer, lookupDeadlineMs }) {
    const id = interaction.options.getString('id', true).trim();
    const result = await lookupGuild(id, { db, rest, beforeRemote: defer, deadlineMs: lookupDeadlineMs });
    if (!result.found) return reply(t('guild.lookup.notFound', { id }));

    const { guild, source } = result;
    const age = formatAge(Date.now() - guild.lastUpdated.getTime(), language);
    const sourceText =
      source === 'cache'
        ? t('guild.source.cache', { origin: t(`guild.origin.${guild.updateSource}`), age })
        : source === 'bot'
          ? t('guild.source.bot', { age })
          : t('guild.source.preview', { age });
    await reply(
      t('guild.lookup.result', {
        name: guild.name,
        id: guild.guildId,
        members: guild.memberCount ?? t('common.unknown'),
        features: guild.features.length > 0 ? guild.features.join(', ') : t('common.none'),
        created: guild.createdAt ? formatDate(guild.createdAt, language) : t('common.unknown'),
        source: sourceText,
      }),
    );
  },
};
