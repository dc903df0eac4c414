import { DiscordBusyError } from '../command-errors';

/** How long a lookup waits for Discord (rate limits included) before telling the user to try again. */
export const DEFAULT_LOOKUP_DEADLINE_MS = 8000;

/**
 * Runs a call to Discord with a deadline. The REST client waits out 429s by itself, which is right
 * for Discord but can leave a user staring at "thinking…": past `deadlineMs` the call is aborted
 * (no further request goes out for it) and `DiscordBusyError` tells the user to try again later.
 */
export async function withinDeadline<T>(deadlineMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DiscordBusyError(deadlineMs));
    }, deadlineMs);
  });
  const running = call(controller.signal);
  // The aborted call's own rejection is not news once the deadline has answered.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}
