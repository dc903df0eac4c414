import type { ChatInputCommandInteraction, CommandInteractionOption, Interaction } from 'discord.js';
import type { Logger } from '../core/logger';
import type { InteractionMetrics } from '../observability/metrics';
import type { JsonObject, ModdyDatabase } from '../db/api';
import { commandPath, type CommandContext } from './command';
import type { CommandRegistry } from './commands';
import { CommandRefusedError } from './command-errors';
import { languageOfLocale, translator, type Translate } from './i18n';
import type { KnownUsers } from './known-users';
import type { UserLookup } from './lookups/user-lookup';
import { DEFAULT_LOOKUP_DEADLINE_MS } from './lookups/discord-deadline';
import { openInteraction, type InteractionGate } from './middleware';
import { assertPermitted } from './permissions';
import { InteractionResponder } from './reply';
import type { ErrorCapture } from './tracker';
import { userMessageFor } from './user-message';
import type { FleetView } from '../cluster/fleet';

export interface DispatcherDeps {
  db: ModdyDatabase;
  tracker: ErrorCapture;
  logger: Logger;
  commands: CommandRegistry;
  knownUsers: KnownUsers;
  userLookup: UserLookup;
  /** `BOT_OWNER_IDS`: developers even without the `DEVELOPER` attribute. */
  ownerIds: ReadonlySet<string>;
  /** Counts interactions by outcome and times commands; none: not measured. */
  metrics?: InteractionMetrics;
  /** An interaction still unanswered after this is deferred (Discord's window is 3 s). Default 2000 ms. */
  autoDeferMs?: number;
  /** See `CommandContext.lookupDeadlineMs`. Default 8000 ms (`DEFAULT_LOOKUP_DEADLINE_MS`). */
  lookupDeadlineMs?: number;
  /** Every host of the bot (Redis), for `/dev stats`; none: this process's view only. */
  fleet?: () => Promise<FleetView>;
}

const DEFAULT_AUTO_DEFER_MS = 2000;

/**
 * The one edge every slash command goes through: middleware (attributes, language, blacklist,
 * first-interaction row), the command's declared permission, then `run`. Errors end here too:
 * a user's mistake or a refusal becomes a localised ephemeral reply, anything else goes to the
 * error tracker and the user gets its code.
 */
export function createInteractionHandler(deps: DispatcherDeps): (interaction: Interaction) => Promise<void> {
  return async (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    const stopTimer = deps.metrics?.duration.startTimer({ command: interaction.commandName });
    const outcome = await dispatch(interaction, deps);
    stopTimer?.();
    deps.metrics?.handled.inc({ command: interaction.commandName, outcome });
  };
}

/** How an interaction ended, for the metrics: it ran, it was refused (or was bad input), or it failed. */
type Outcome = 'ok' | 'refused' | 'error';

async function dispatch(interaction: ChatInputCommandInteraction, deps: DispatcherDeps): Promise<Outcome> {
  const path = commandPath(interaction);
  const userId = interaction.user.id;
  const guildId = interaction.guildId;
  // Until the attributes are read, the interaction's own locale is the best guess.
  let t: Translate = translator(languageOfLocale(interaction.locale));
  const responder = new InteractionResponder(interaction);
  const stopAutoDefer = responder.deferIfSilent(deps.autoDeferMs ?? DEFAULT_AUTO_DEFER_MS, (error) =>
    deps.logger.warn({ err: error, command: path, userId }, 'could not defer a slow interaction'),
  );
  try {
    const command = deps.commands.get(interaction.commandName);
    const gate = await openInteraction(deps.db, deps.knownUsers, {
      userId,
      guildId,
      locale: interaction.locale,
      guildRecord: command?.needs?.guildRecord === true,
    });
    t = translator(gate.language);
    if (gate.blacklisted) throw new CommandRefusedError('blacklisted');

    if (!command) {
      await responder.respond(t('command.unknown'), { ephemeral: true });
      return 'refused';
    }
    try {
      assertPermitted(command.permission, { interaction, userAttributes: gate.attributes.user, ownerIds: deps.ownerIds });
    } catch (refusal) {
      if (command.permission === 'developer') deps.logger.warn({ userId, guildId, command: path }, 'developer command refused');
      throw refusal;
    }
    await command.run(buildContext(interaction, responder, deps, gate, t));
    return 'ok';
  } catch (error) {
    return answerError(interaction, responder, error, t, deps, path);
  } finally {
    stopAutoDefer();
  }
}

function buildContext(
  interaction: ChatInputCommandInteraction,
  responder: InteractionResponder,
  deps: DispatcherDeps,
  gate: InteractionGate,
  t: Translate,
): CommandContext {
  return {
    interaction,
    db: deps.db,
    attributes: gate.attributes,
    ...(gate.guildRecord === undefined ? {} : { guildRecord: gate.guildRecord }),
    language: gate.language,
    t,
    logger: deps.logger,
    rest: interaction.client.rest,
    userLookup: deps.userLookup,
    lookupDeadlineMs: deps.lookupDeadlineMs ?? DEFAULT_LOOKUP_DEADLINE_MS,
    ...(deps.fleet ? { fleet: deps.fleet } : {}),
    reply: (content, options) => responder.respond(content, options),
    defer: () => responder.defer(),
  };
}

async function answerError(
  interaction: ChatInputCommandInteraction,
  responder: InteractionResponder,
  error: unknown,
  t: Translate,
  deps: DispatcherDeps,
  path: string,
): Promise<Outcome> {
  let message = userMessageFor(error, t);
  const outcome: Outcome = message === null ? 'error' : 'refused';
  try {
    if (message === null) {
      const code = await deps.tracker.capture(error, {
        userId: interaction.user.id,
        guildId: interaction.guildId,
        command: path,
        context: { interactionId: interaction.id, options: optionValues(interaction.options.data), locale: interaction.locale },
      });
      message = t('error.unexpected', { code });
    }
    await responder.respond(message, { ephemeral: true });
  } catch (replyError) {
    // The interaction may have expired (3 s) or been answered already: nothing more to tell the user.
    deps.logger.error(
      { err: replyError, cause: error, command: path, userId: interaction.user.id },
      'could not report the error to the user',
    );
  }
  return outcome;
}

/** The options the user typed, flattened (`{ id: "123" }`), for the stored error's context. */
function optionValues(options: readonly CommandInteractionOption[]): JsonObject {
  const values: JsonObject = {};
  for (const option of options) {
    if (option.options) Object.assign(values, optionValues(option.options));
    else if (option.value !== undefined) values[option.name] = option.value;
  }
  return values;
}
