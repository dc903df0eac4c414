import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';

/**
 * Answers an interaction whatever its state: the first reply, the edit of a deferred one (which
 * keeps the deferral's visibility), or a follow-up. Mentions in the text never ping (names and
 * reasons are user input).
 */
export async function respond(interaction: ChatInputCommandInteraction, content: string, options: { ephemeral?: boolean } = {}): Promise<void> {
  const allowedMentions = { parse: [] };
  if (interaction.deferred) {
    await interaction.editReply({ content, allowedMentions });
  } else if (interaction.replied) {
    await interaction.followUp({ content, allowedMentions, ...(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
  } else {
    await interaction.reply({ content, allowedMentions, ...(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
  }
}
