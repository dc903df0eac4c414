import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '../redis';
import type { Logger } from 'pino';
import type { ModdyDatabase, NewErrorRecord } from '../db/api';
import type { ModdyQueues } from '../queues/queues';
import { buildErrorRecord, type BuildRecordOptions, type CaptureMeta } from './build-record';
import { CodeReservations } from './code-reservation';
import { withDeadline } from '../core/deadline';
import { ErrorDelivery } from './delivery';
import { ErrorJournal } from './journal';
import { ReplaySchedule } from './replay-schedule';
import { SpoolReplayer } from './spool-replay';
import type { ErrorSpool } from './spool';
import { resolveTrackerOptions, type ErrorTrackerOptions } from './tracker-options';

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

/** Unique per process: capture IDs are `<tag>-<n>`. */
const PROCESS_TAG = randomBytes(6).toString('hex');

/**
 * The tracker: builds each record, takes a reserved code (or reserves one now), hands the record
 * to the delivery chain (`ErrorDelivery`: Redis → PostgreSQL → spool), tracks deliveries in flight,
 * and replays the spool on a schedule and whenever Redis (re)connects (`ReplaySchedule`).
 */
export function createErrorTracker(deps: ErrorTrackerDeps, trackerOptions: ErrorTrackerOptions): ErrorTracker {
  const options = resolveTrackerOptions(trackerOptions);
  const reservations = new CodeReservations({
    redis: deps.redis,
    prefix: options.prefix,
    ttlSeconds: (options.retentionDays + 7) * 86_400,
    generate: options.generateCode,
    poolSize: options.codePoolSize,
  });
  const journal = new ErrorJournal(deps.spool, { tag: PROCESS_TAG, confirmAfterMs: options.journalConfirmAfterMs });
  const delivery = new ErrorDelivery({ ...deps, journal }, options);
  const replayer = new SpoolReplayer({ ...deps, reservations });
  const schedule = new ReplaySchedule({ journal, replayer, logger: deps.logger }, options.replayIntervalMs);
  const inFlight = new Set<Promise<string>>();
  let captures = 0;

  /** A fresh code reserved now, or (Redis unusable) an unreserved one, checked by the PostgreSQL insert. */
  async function reserveNow(captureId: string): Promise<{ code: string; reserved: boolean }> {
    if (await delivery.redisUsable()) {
      try {
        const code = await withDeadline(reservations.reserveFresh(captureId), options.redisTimeoutMs, 'Redis code reservation');
        return { code, reserved: true };
      } catch (error) {
        deps.logger.warn({ err: error }, 'error tracker: could not reserve a code in Redis');
      }
    }
    return { code: options.generateCode(), reserved: false };
  }

  async function drain(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  function track(pending: Promise<string>): Promise<string> {
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
    return pending;
  }

  async function capture(error: unknown, meta: CaptureMeta): Promise<string> {
    captures += 1;
    const captureId = `${PROCESS_TAG}-${captures}`;
    const record = safeRecord(error, meta, { projectRoot: options.projectRoot, contextMaxBytes: options.contextMaxBytes });
    const pooled = reservations.take();
    if (pooled !== undefined) {
      // Reserved already, so unique: the code is returned at once and delivered in the background.
      void track(delivery.deliver({ ...record, errorCode: pooled }, captureId, true)).then((stored) => {
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
    return track(delivery.deliver({ ...record, errorCode: code }, captureId, reserved));
  }

  let persistenceChecked = false;
  // A (re)connection may be to a Redis that restarted empty: every journalled error is replayed.
  const onReady = (): void => {
    void reservations.refill();
    void schedule.replay(true);
    if (!persistenceChecked) {
      persistenceChecked = true;
      void warnWithoutPersistence(deps.redis, deps.logger);
    }
  };
  deps.redis.on('ready', onReady);
  if (delivery.redisReady()) onReady();

  return {
    capture: (error, meta = {}) => capture(error, meta),
    drain,
    replaySpool: () => schedule.replay(),
    async close() {
      schedule.close();
      deps.redis.off('ready', onReady);
      await drain();
      await replayer.idle();
    },
  };
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
