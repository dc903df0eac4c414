import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { clipText } from '../core/storable';

/** Discord refuses a message content longer than this (400), which would leave the user with no answer. */
const MAX_CONTENT_LENGTH = 2000;

/**
 * Answers an interaction whatever its state: the first reply, the edit of a deferred one (which
 * keeps the deferral's visibility), or a follow-up. Mentions in the text never ping (names and
 * reasons are user input); a text over Discord's limit is cut (marked with an ellipsis).
 */
export async function respond(
  interaction: ChatInputCommandInteraction,
  text: string,
  options: { ephemeral?: boolean } = {},
): Promise<void> {
  const content = clipText(text, MAX_CONTENT_LENGTH);
  const allowedMentions = { parse: [] };
  if (interaction.deferred) {
    await interaction.editReply({ content, allowedMentions });
  } else if (interaction.replied) {
    await interaction.followUp({ content, allowedMentions, ...(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
  } else {
    await interaction.reply({ content, allowedMentions, ...(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
  }
}

/**
 * Every answer to one interaction goes through here, one after the other, so that the automatic
 * deferral can never race the command's own reply (Discord accepts one acknowledgement).
 */
export class InteractionResponder {
  private queue: Promise<void> = Promise.resolve();
  private answered = false;

  constructor(private readonly interaction: ChatInputCommandInteraction) {}

  respond(content: string, options: { ephemeral?: boolean } = {}): Promise<void> {
    return this.enqueue(() => respond(this.interaction, content, options));
  }

  defer(options: { ephemeral?: boolean } = {}): Promise<void> {
    return this.enqueue(async () => {
      if (this.interaction.deferred || this.interaction.replied) return;
      await this.interaction.deferReply(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    });
  }

  /**
   * Defers (ephemerally) if nothing was answered within `afterMs`: Discord drops an interaction not
   * acknowledged within 3 s, and a slow database or Discord API must not cost the user the answer.
   * Returns the cancel function; `onError` hears a failed deferral.
   */
  deferIfSilent(afterMs: number, onError: (error: unknown) => void): () => void {
    const timer = setTimeout(() => {
      if (!this.answered) this.defer({ ephemeral: true }).catch(onError);
    }, afterMs);
    return () => clearTimeout(timer);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.answered = true;
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
