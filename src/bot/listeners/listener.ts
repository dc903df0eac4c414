import type { Client, ClientEvents } from 'discord.js';
import type { Logger } from '../../core/logger';
import type { ModdyDatabase } from '../../db/api';
import type { InFlight } from '../in-flight';
import type { ErrorCapture } from '../tracker';

export interface ListenerDeps {
  db: ModdyDatabase;
  tracker: ErrorCapture;
  logger: Logger;
  /** Where running handlers are tracked, so a shutdown waits for them; none: not tracked. */
  inFlight?: InFlight;
}

/** One gateway event handled by the bot; `attach` subscribes it, sending any failure to the tracker. */
export interface Listener {
  readonly event: keyof ClientEvents;
  attach(client: Client, deps: ListenerDeps): void;
}

export function defineListener<E extends keyof ClientEvents>(
  event: E,
  run: (deps: ListenerDeps, ...args: ClientEvents[E]) => Promise<void>,
  /** The guild an event is about, stored with its error. */
  guildOf: (...args: ClientEvents[E]) => string | null = () => null,
): Listener {
  return {
    event,
    attach(client, deps) {
      client.on(event, (...args: ClientEvents[E]) => {
        const handled = run(deps, ...args).catch(async (error: unknown) => {
          try {
            const code = await deps.tracker.capture(error, { guildId: guildOf(...args), command: null, context: { event } });
            deps.logger.error({ err: error, event, code }, 'event handler failed');
          } catch (captureError) {
            deps.logger.error({ err: error, captureError, event }, 'event handler failed and the tracker could not record it');
          }
        });
        deps.inFlight?.track(handled);
      });
    },
  };
}
