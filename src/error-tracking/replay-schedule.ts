import type { ErrorJournal } from './journal';
import type { SpoolReplayer } from './spool-replay';
import type { TrackerLogger } from './tracker';

export interface ReplayScheduleDeps {
  journal: Pick<ErrorJournal, 'release'>;
  replayer: Pick<SpoolReplayer, 'replay'>;
  logger: Pick<TrackerLogger, 'warn'>;
}

/** Longest wait before a failed replay is tried again. */
const MAX_REPLAY_RETRY_MS = 30_000;
/** First wait after a failed replay; it doubles at each failure, up to `MAX_REPLAY_RETRY_MS`. */
const MIN_REPLAY_RETRY_MS = 500;

/**
 * When the spool is replayed: every `intervalMs` (0: never by timer), on demand, and after a failed
 * replay (a service still flapping) with backoff, not only at the next tick. Each replay first
 * releases the journal segments that are due.
 */
export class ReplaySchedule {
  private readonly timer: NodeJS.Timeout | undefined;
  private retryDelayMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly deps: ReplayScheduleDeps,
    intervalMs: number,
  ) {
    this.timer = intervalMs > 0 ? setInterval(() => void this.replay(), intervalMs) : undefined;
    this.timer?.unref();
  }

  /** Replays now; resolves with how many entries were delivered (0 when the replay failed). `afterReconnect`: release every journal segment. */
  replay(afterReconnect = false): Promise<number> {
    try {
      this.deps.journal.release(afterReconnect);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'error tracker: could not release the journal for replay, will retry');
    }
    return this.deps.replayer.replay().then(
      (delivered) => {
        this.retryDelayMs = 0;
        return delivered;
      },
      (error: unknown) => {
        this.deps.logger.warn({ err: error, retryInMs: this.scheduleRetry() }, 'error tracker: spool replay failed, will retry');
        return 0;
      },
    );
  }

  /** Stops the timers (a replay in flight goes on: `SpoolReplayer.idle()` waits for it). */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.retryTimer);
  }

  private scheduleRetry(): number {
    if (this.closed || this.retryTimer) return this.retryDelayMs;
    this.retryDelayMs = Math.min(Math.max(this.retryDelayMs * 2, MIN_REPLAY_RETRY_MS), MAX_REPLAY_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.replay();
    }, this.retryDelayMs);
    this.retryTimer.unref();
    return this.retryDelayMs;
  }
}
