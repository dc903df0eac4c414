import { ModdyError } from './moddy-error';

/** Thrown by `withDeadline` when the work did not settle in time. */
export class DeadlineExceededError extends ModdyError {
  readonly code = 'DEADLINE_EXCEEDED';

  constructor(
    readonly label: string,
    readonly ms: number,
  ) {
    super(`${label} did not answer within ${ms} ms`);
  }
}

/**
 * `work`, or a `DeadlineExceededError` after `ms` (the work itself goes on; callers must be idempotent).
 *
 * After an event-loop stall (a synchronous fsync, a burst of CPU work) expired timers run before
 * the I/O that arrived meanwhile is read: a timer rejecting at once would fail every call in flight
 * although the service answered in time, and send all of them down the slower fallback path (which
 * stalls the loop further). The deadline is therefore declared in the check phase, after the poll
 * phase has read the replies already received.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, label: string): Promise<T> {
  // No race and no async frame: it wraps every Redis batch of the cache.
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  return new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      immediate = setImmediate(() => reject(new DeadlineExceededError(label, ms)));
    }, ms);
    work.then(resolve, reject);
  }).finally(() => {
    clearTimeout(timer);
    clearImmediate(immediate);
  });
}
