/**
 * Slack, as a share of the window: clients wait exactly the window on their own clock from the
 * moment they grant themselves a slot, and the frame arrives a little earlier or later than that
 * (send queues, event loops). Discord does not document its tolerance; 10 % absorbs that jitter
 * and still refuses a real burst.
 */
const WINDOW_SLACK = 0.1;
const SESSION_START_RESET_MS = 86_400_000;

export interface IdentifyPacerOptions {
  maxConcurrency: number;
  /** One IDENTIFY per bucket per window. Discord: 5000 ms. */
  windowMs: number;
  /** Session starts per 24 h (`session_start_limit.total`). */
  sessionStartLimit: number;
}

/** One IDENTIFY that was let through, for tests measuring start-up against the pacing's minimum. */
export interface SessionStart {
  at: number;
  shardId: number;
  bucket: number;
}

/**
 * Discord's identify rules: shards identify in buckets `shard_id % max_concurrency`, one per bucket
 * per window (a faster one gets INVALID_SESSION), and every start counts `session_start_limit` down.
 */
export class IdentifyPacer {
  private readonly lastByBucket = new Map<number, number>();
  readonly starts: SessionStart[] = [];
  /** IDENTIFYs refused for coming too fast in their bucket, with how long after the bucket's last one. */
  readonly refused: (SessionStart & { sinceLastMs: number })[] = [];

  constructor(
    private readonly options: IdentifyPacerOptions,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Admits (and counts) an IDENTIFY of `shardId`, or says why not. */
  admit(shardId: number): 'ok' | 'too-fast' | 'exhausted' {
    const now = this.clock();
    if (this.sessionStarts(now).remaining <= 0) return 'exhausted';
    const bucket = shardId % this.options.maxConcurrency;
    const last = this.lastByBucket.get(bucket);
    if (last !== undefined && now - last < this.options.windowMs * (1 - WINDOW_SLACK)) {
      this.refused.push({ at: now, shardId, bucket, sinceLastMs: now - last });
      return 'too-fast';
    }
    this.lastByBucket.set(bucket, now);
    this.starts.push({ at: now, shardId, bucket });
    return 'ok';
  }

  /** `session_start_limit` as `/gateway/bot` reports it: starts in the last 24 h count against `total`. */
  sessionStarts(now = this.clock()): { total: number; remaining: number } {
    while (this.starts.length > 0 && now - this.starts[0]!.at >= SESSION_START_RESET_MS) this.starts.shift();
    return { total: this.options.sessionStartLimit, remaining: Math.max(0, this.options.sessionStartLimit - this.starts.length) };
  }
}
