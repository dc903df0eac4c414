import { Events, type Interaction } from 'discord.js';
import { defineListener, type Listener } from './listener';

/** Every interaction goes to the dispatcher (which answers its own errors). */
export function interactionCreateListener(dispatch: (interaction: Interaction) => Promise<void>): Listener {
  return defineListener(
    Events.InteractionCreate,
    async (_deps, interaction) => dispatch(interaction),
    (interaction) => interaction.guildId,
  );
}
