import { ModdyError } from '../core/moddy-error';
import type { SessionStartLimit } from './gateway-bot';

/**
 * Starting this host's shards would spend Discord's daily session starts below
 * `DISCORD_SESSION_START_FLOOR`: nothing was started. Past zero, Discord resets the bot's token.
 */
export class SessionStartLimitError extends ModdyError {
  readonly code = 'SESSION_START_LIMIT';

  constructor(
    readonly limit: SessionStartLimit,
    readonly shards: number,
    readonly floor: number,
  ) {
    super(
      `Discord allows ${limit.remaining} more session starts of ${limit.total} until its count resets in ${formatDuration(limit.resetAfterMs)}; ` +
        `starting this host's ${shards} shards would leave ${limit.remaining - shards}, under DISCORD_SESSION_START_FLOOR=${floor}. ` +
        'Refusing to start them: start again after the reset, or lower DISCORD_SESSION_START_FLOOR to spend the reserve.',
    );
  }
}

/**
 * Refuses a start of `shards` shards (each one IDENTIFY) that would leave fewer than `floor`
 * session starts: the reserve is for resumes that fail and single shards that reconnect, which a
 * host restarting in a loop would otherwise burn. `floor` 0: never refuses.
 */
export function assertSessionStartsLeft(limit: SessionStartLimit, shards: number, floor: number): void {
  if (breaksSessionStartFloor(limit, shards, floor)) throw new SessionStartLimitError(limit, shards, floor);
}

/** Whether starting `shards` shards would leave fewer than `floor` session starts (`floor` 0: never); the manager's rule, also `npm run doctor`'s. */
export function breaksSessionStartFloor(limit: SessionStartLimit, shards: number, floor: number): boolean {
  return floor > 0 && limit.remaining - shards < floor;
}

function formatDuration(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}
