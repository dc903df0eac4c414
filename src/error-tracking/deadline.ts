import { ModdyError } from '../core/moddy-error';

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

/** `work`, or a `DeadlineExceededError` after `ms` (the work itself goes on; callers must be idempotent). */
export async function withDeadline<T>(work: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(label, ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
