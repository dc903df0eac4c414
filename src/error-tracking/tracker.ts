import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '../redis';
import type { Logger } from 'pino';
import type { ErrorRecord, ModdyDatabase, NewErrorRecord } from '../db/api';
import type { ModdyQueues } from '../queues/queues';
import { errorJobId, toErrorJobData, type ErrorJobData } from '../queues/job-data';
import { buildErrorRecord, type BuildRecordOptions, type CaptureMeta } from './build-record';
import { generateErrorCode } from './code';
import { CodeReservations } from './code-reservation';
import { DEFAULT_CONTEXT_MAX_BYTES } from './context';
import { withDeadline } from './deadline';
import { ErrorJournal } from './journal';
import { SpoolReplayer } from './spool-replay';
import type { ErrorSpool, SpoolEntry } from './spool';

export type TrackerLogger = Pick<Logger, 'warn' | 'error'>;

export interface ErrorTrackerDeps {
  /** A fail-fast producer connection (see `createProducerConnection`): code reservations. */
  redis: RedisConnection;
  queues: Pick<ModdyQueues, 'errorPersistence' | 'discordLog'>;
  /** The straight-to-PostgreSQL path while Redis is down, and spool replays (`getError`: is a taken code this error's?). */
  db: Pick<ModdyDatabase, 'recordError' | 'recordErrors' | 'getError'>;
  spool: ErrorSpool;
  logger: TrackerLogger;
}

export interface ErrorTrackerOptions {
  /** Prefix of the code reservations in Redis (`<prefix>:errors:code:<CODE>`). */
  prefix: string;
  /** `ERROR_RETENTION_DAYS`: reservations outlive the rows by a week. */
  retentionDays: number;
  /** Default `generateErrorCode` (injectable so a test can make it repeat itself). */
  generateCode?: () => string;
  /** Stack frames under this directory are "our code" (`file_source`). Default: the working directory. */
  projectRoot?: string;
  /** Cap of a stored context in bytes of JSON. Default 16 KiB. */
  contextMaxBytes?: number;
  /** Codes reserved ahead. Default 256. */
  codePoolSize?: number;
  /** Longest wait on Redis before falling back to PostgreSQL. Default 500 ms. */
  redisTimeoutMs?: number;
  /** Longest wait on PostgreSQL before falling back to the spool. Default 2000 ms. */
  databaseTimeoutMs?: number;
  /** How often the spool is replayed (it also is at start-up and when Redis reconnects); 0: never by timer. Default 30 s. */
  replayIntervalMs?: number;
  /**
   * How long a queued error stays in the local journal before it is inserted again (idempotently)
   * from there, in case Redis lost its job. Default 60 s. See `ErrorJournal`.
   */
  journalConfirmAfterMs?: number;
}

export interface ErrorTracker {
  /**
   * Records an error and resolves with its code, unique and quotable by the user. Never rejects.
   * With a code reserved ahead (the usual case) it resolves at once and delivers in the background
   * (Redis, else PostgreSQL, else the spool; `close()` waits for deliveries in flight); without one
   * it resolves once the code is reserved in Redis or its row inserted (conflicts detected).
   */
  capture(error: unknown, meta?: CaptureMeta): Promise<string>;
  /** Resolves once every capture so far is delivered (journalled and queued, stored or spooled). */
  drain(): Promise<void>;
  /** Replays spooled errors now; resolves with how many were delivered. */
  replaySpool(): Promise<number>;
  /** Stops the replay timer and waits for captures in flight. Closes none of the deps. */
  close(): Promise<void>;
}

const MAX_RECODES = 8;
/** Longest wait before a failed replay is tried again. */
const MAX_REPLAY_RETRY_MS = 30_000;
/** Unique per process: capture IDs are `<tag>-<n>`. */
const PROCESS_TAG = randomBytes(6).toString('hex');

export function createErrorTracker(deps: ErrorTrackerDeps, options: ErrorTrackerOptions): ErrorTracker {
  const generate = options.generateCode ?? generateErrorCode;
  const redisTimeoutMs = options.redisTimeoutMs ?? 500;
  const databaseTimeoutMs = options.databaseTimeoutMs ?? 2000;
  const reservations = new CodeReservations({
    redis: deps.redis,
    prefix: options.prefix,
    ttlSeconds: (options.retentionDays + 7) * 86_400,
    generate,
    poolSize: options.codePoolSize,
  });
  const replayer = new SpoolReplayer({ ...deps, reservations });
  const journal = new ErrorJournal(deps.spool, { tag: PROCESS_TAG, confirmAfterMs: options.journalConfirmAfterMs });
  const inFlight = new Set<Promise<string>>();
  let captures = 0;

  const redisReady = (): boolean => deps.redis.status === 'ready';
  // Right after start-up the connection is still opening: the first captures wait for it (once,
  // within redisTimeoutMs) rather than take the outage path while Redis is in fact up.
  let startup: Promise<boolean> | undefined = redisReady()
    ? undefined
    : withDeadline(
        new Promise<boolean>((resolve) => deps.redis.once('ready', () => resolve(true))),
        redisTimeoutMs,
        'Redis connection',
      ).catch(() => false);
  async function redisUsable(): Promise<boolean> {
    if (startup) {
      await startup;
      startup = undefined;
    }
    return redisReady();
  }

  /** A fresh code reserved now, or (Redis unusable) an unreserved one, checked by the PostgreSQL insert. */
  async function reserveNow(captureId: string): Promise<{ code: string; reserved: boolean }> {
    if (await redisUsable()) {
      try {
        return { code: await withDeadline(reservations.reserveFresh(captureId), redisTimeoutMs, 'Redis code reservation'), reserved: true };
      } catch (error) {
        deps.logger.warn({ err: error }, 'error tracker: could not reserve a code in Redis');
      }
    }
    return { code: generate(), reserved: false };
  }

  async function enqueue(data: ErrorJobData): Promise<boolean> {
    if (!(await redisUsable())) return false;
    try {
      const opts = { jobId: errorJobId(data.errorCode) };
      await withDeadline(
        Promise.all([deps.queues.errorPersistence.add('persist', data, opts), deps.queues.discordLog.add('log', data, opts)]),
        redisTimeoutMs,
        'Redis enqueue',
      );
      return true;
    } catch (error) {
      deps.logger.warn({ err: error, code: data.errorCode }, 'error tracker: Redis unavailable, writing the error to PostgreSQL');
      return false;
    }
  }

  /**
   * Inserts straight into PostgreSQL. A code already taken is usually this very error (its queued
   * job landed after the enqueue deadline fired): then it is stored already. Only a row that is
   * really another error (possible when the code was not reserved) makes it take a new code.
   */
  async function persistDirectly(record: NewErrorRecord): Promise<NewErrorRecord | null> {
    let current = record;
    try {
      for (let attempt = 0; attempt < MAX_RECODES; attempt += 1) {
        if (await withDeadline(deps.db.recordError(current), databaseTimeoutMs, 'PostgreSQL insert')) return current;
        if (isSameError(await withDeadline(deps.db.getError(current.errorCode), databaseTimeoutMs, 'PostgreSQL read'), current))
          return current;
        current = { ...current, errorCode: generate() };
      }
      deps.logger.error({ code: record.errorCode }, 'error tracker: every generated code was taken');
    } catch (error) {
      deps.logger.warn({ err: error, code: record.errorCode }, 'error tracker: PostgreSQL unavailable too, spooling the error locally');
    }
    return null;
  }

  /**
   * Redis, else PostgreSQL, else the spool; resolves with the code the row is stored under. Only a
   * reserved code goes through Redis (the worker's insert skips a code already stored, so an
   * unreserved code must be checked by a direct insert), and only once its journal line is on disk.
   */
  async function deliver(record: NewErrorRecord, captureId: string, reserved: boolean): Promise<string> {
    const data = toErrorJobData(record);
    if (reserved && (await journalled({ record: data, captureId, reserved, persisted: false })) && (await enqueue(data)))
      return record.errorCode;
    const stored = await persistDirectly(record);
    // Spooled either way: a stored row still needs its Discord log (and its code a reservation).
    const entry: SpoolEntry = {
      record: toErrorJobData(stored ?? record),
      captureId,
      reserved: reserved && stored?.errorCode !== undefined && stored.errorCode === record.errorCode,
      persisted: stored !== null,
    };
    try {
      deps.spool.append(entry);
    } catch (spoolError) {
      deps.logger.error(
        { err: spoolError, error: entry.record },
        'error tracker: could not write the spool; the error is only in this log line',
      );
    }
    return entry.record.errorCode;
  }

  /** False when the journal cannot be written: the error then skips Redis, whose jobs a crash can lose. */
  async function journalled(entry: SpoolEntry): Promise<boolean> {
    try {
      await journal.record(entry);
      return true;
    } catch (error) {
      deps.logger.error(
        { err: error, code: entry.record.errorCode },
        'error tracker: could not write the journal; writing the error to PostgreSQL',
      );
      return false;
    }
  }

  async function drain(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  function track(delivery: Promise<string>): Promise<string> {
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
    return delivery;
  }

  async function capture(error: unknown, meta: CaptureMeta): Promise<string> {
    captures += 1;
    const captureId = `${PROCESS_TAG}-${captures}`;
    const record = safeRecord(error, meta, {
      projectRoot: options.projectRoot ?? process.cwd(),
      contextMaxBytes: options.contextMaxBytes ?? DEFAULT_CONTEXT_MAX_BYTES,
    });
    const pooled = reservations.take();
    if (pooled !== undefined) {
      // Reserved already, so unique: the code is returned at once and delivered in the background.
      void track(deliver({ ...record, errorCode: pooled }, captureId, true)).then((stored) => {
        if (stored !== pooled)
          deps.logger.error(
            { shownCode: pooled, storedCode: stored },
            'error tracker: a reserved code was taken in PostgreSQL; stored under a new code',
          );
      });
      return pooled;
    }
    // No reserved code at hand: its uniqueness is only known once it is reserved or inserted.
    const { code, reserved } = await reserveNow(captureId);
    return track(deliver({ ...record, errorCode: code }, captureId, reserved));
  }

  const timer = (options.replayIntervalMs ?? 30_000) > 0 ? setInterval(() => void replay(), options.replayIntervalMs ?? 30_000) : undefined;
  timer?.unref();
  let persistenceChecked = false;
  // A (re)connection may be to a Redis that restarted empty: every journalled error is replayed.
  const onReady = (): void => {
    void reservations.refill();
    void replay(true);
    if (!persistenceChecked) {
      persistenceChecked = true;
      void warnWithoutPersistence(deps.redis, deps.logger);
    }
  };
  deps.redis.on('ready', onReady);

  function replay(afterReconnect = false): Promise<number> {
    try {
      journal.release(afterReconnect);
    } catch (error) {
      deps.logger.warn({ err: error }, 'error tracker: could not release the journal for replay, will retry');
    }
    return replayer.replay().then(
      (delivered) => {
        retryDelayMs = 0;
        return delivered;
      },
      (error: unknown) => {
        deps.logger.warn({ err: error, retryInMs: scheduleRetry() }, 'error tracker: spool replay failed, will retry');
        return 0;
      },
    );
  }

  // A failed replay (a service still flapping) is retried with backoff, not only at the next tick.
  let retryDelayMs = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;
  function scheduleRetry(): number {
    if (closed || retryTimer) return retryDelayMs;
    retryDelayMs = Math.min(Math.max(retryDelayMs * 2, 500), MAX_REPLAY_RETRY_MS);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void replay();
    }, retryDelayMs);
    retryTimer.unref();
    return retryDelayMs;
  }

  if (redisReady()) onReady();

  return {
    capture: (error, meta = {}) => capture(error, meta),
    drain,
    replaySpool: () => replay(),
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      clearTimeout(retryTimer);
      deps.redis.off('ready', onReady);
      await drain();
      await replayer.idle();
    },
  };
}

/** The stored row is this error: same type, message and time (a code repeat between two errors never matches all three). */
function isSameError(stored: ErrorRecord | null, record: NewErrorRecord): boolean {
  return (
    stored !== null &&
    stored.errorType === record.errorType &&
    stored.message === record.message &&
    stored.timestamp.getTime() === (record.timestamp ?? new Date(Number.NaN)).getTime()
  );
}

/** `buildErrorRecord`, or (a thrown value hostile enough to break it) a row that says so: `capture()` never rejects. */
function safeRecord(error: unknown, meta: CaptureMeta, options: BuildRecordOptions): Omit<NewErrorRecord, 'errorCode'> {
  try {
    return buildErrorRecord(error, meta, options);
  } catch (buildError) {
    return buildErrorRecord(new Error('the captured value could not be read', { cause: buildError }), {}, options);
  }
}

/**
 * Queued jobs live in Redis memory; without AOF a Redis crash loses them. The journal covers the
 * errors either way, but an operator should know (managed Redis may refuse CONFIG: then nothing is said).
 */
async function warnWithoutPersistence(redis: RedisConnection, logger: TrackerLogger): Promise<void> {
  try {
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as string[];
    if (appendonly === 'no') {
      logger.warn(
        { appendonly },
        'error tracker: Redis runs without AOF (appendonly no): a Redis crash loses queued jobs; errors are replayed from the local journal',
      );
    }
  } catch {
    // CONFIG disabled or Redis gone again: nothing to report.
  }
}
