import type { CacheLogger } from './health';

/** A row of the PostgreSQL log of invalidations that could not reach Redis (`cache_invalidations`). */
export interface LoggedInvalidation {
  id: string;
  /** Cache keys; an entry ending in `*` stands for every key it prefixes. */
  keys: string[];
}

/** Where a writer cut off from Redis leaves its invalidations, and where every process reads them. */
export interface InvalidationLogStore {
  append(keys: readonly string[]): Promise<void>;
  /** Rows logged in the last `windowMs` (server clock) with an id above `afterId`, oldest first, at most `limit`. */
  since(windowMs: number, afterId: string, limit: number): Promise<LoggedInvalidation[]>;
}

export interface InvalidationLogPollerOptions {
  store: InvalidationLogStore;
  /** Applies a row in Redis and locally; false when Redis could not take it (the row is tried again). */
  apply(keys: readonly string[]): Promise<boolean>;
  intervalMs: number;
  /** How far back the first read looks: the longest entry TTL (an older row guards nothing). */
  firstWindowMs: number;
  logger: CacheLogger;
}

/**
 * Later reads look back this far, not just past the last id seen: ids are taken at insert and a
 * row can commit after a higher one was read. Bounded by the statement timeout in practice.
 */
const LOOKBACK_MS = 60_000;
const PAGE = 500;

/**
 * Reads the invalidation log every `intervalMs` and applies each row once. This is what bounds the
 * staleness when a writer is partitioned from Redis: another process invalidates for it within
 * one interval (docs/cache.md).
 */
export class InvalidationLogPoller {
  /** Rows applied that the look-back window still returns. */
  private applied = new Set<string>();
  private caughtUp = false;
  private failing = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: InvalidationLogPollerOptions) {}

  start(): void {
    this.schedule();
  }

  /** One read of the log now (joins a read in progress); never throws. */
  poll(): Promise<void> {
    this.running ??= this.read().finally(() => (this.running = undefined));
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.poll().then(() => this.schedule()), this.options.intervalMs);
    this.timer.unref();
  }

  private async read(): Promise<void> {
    const windowMs = this.caughtUp ? LOOKBACK_MS : this.options.firstWindowMs;
    const seen = new Set<string>();
    try {
      let afterId = '0';
      for (;;) {
        const rows = await this.options.store.since(windowMs, afterId, PAGE);
        for (const row of rows) {
          seen.add(row.id);
          if (this.applied.has(row.id)) continue;
          if (await this.options.apply(row.keys)) this.applied.add(row.id);
        }
        const last = rows.at(-1);
        if (rows.length < PAGE || last === undefined) break;
        afterId = last.id;
      }
      this.applied = new Set([...this.applied].filter((id) => seen.has(id)));
      this.caughtUp = true;
      if (this.failing) this.options.logger.info({}, 'cache invalidation log readable again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        this.options.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'cache invalidation log unreadable: partitioned writers are not covered until it is back',
        );
      }
      this.failing = true;
    }
  }
}
