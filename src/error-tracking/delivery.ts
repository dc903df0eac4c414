import type { RedisConnection } from '../redis';
import type { ErrorRecord, ModdyDatabase, NewErrorRecord } from '../db/api';
import type { ModdyQueues } from '../queues/queues';
import { errorJobId, toErrorJobData, type ErrorJobData } from '../queues/job-data';
import { withDeadline } from '../core/deadline';
import type { ErrorJournal } from './journal';
import type { ErrorSpool, SpoolEntry } from './spool';
import type { ResolvedTrackerOptions } from './tracker-options';
import type { TrackerLogger } from './tracker';

export interface ErrorDeliveryDeps {
  /** The producer connection the queues use: its state says whether Redis is worth a try. */
  redis: RedisConnection;
  queues: Pick<ModdyQueues, 'errorPersistence' | 'discordLog'>;
  /** The straight-to-PostgreSQL path while Redis is down (`getError`: is a taken code this error's?). */
  db: Pick<ModdyDatabase, 'recordError' | 'getError'>;
  spool: ErrorSpool;
  journal: ErrorJournal;
  logger: TrackerLogger;
}

export type ErrorDeliveryOptions = Pick<ResolvedTrackerOptions, 'redisTimeoutMs' | 'databaseTimeoutMs' | 'generateCode'>;

/** Tries of a new code when a direct insert finds its code taken by another error. */
const MAX_RECODES = 8;

/**
 * Where one captured error goes: Redis (journalled, then queued), else PostgreSQL, else the
 * local spool. Each step is bounded by its deadline, so a dead service costs a capture at most
 * `redisTimeoutMs + databaseTimeoutMs` before the next step takes over.
 */
export class ErrorDelivery {
  /**
   * Right after start-up the connection is still opening: the first deliveries wait for it (once,
   * within redisTimeoutMs) rather than take the outage path while Redis is in fact up.
   */
  private startup: Promise<boolean> | undefined;

  constructor(
    private readonly deps: ErrorDeliveryDeps,
    private readonly options: ErrorDeliveryOptions,
  ) {
    this.startup = this.redisReady()
      ? undefined
      : withDeadline(
          new Promise<boolean>((resolve) => deps.redis.once('ready', () => resolve(true))),
          options.redisTimeoutMs,
          'Redis connection',
        ).catch(() => false);
  }

  redisReady(): boolean {
    return this.deps.redis.status === 'ready';
  }

  /** Whether Redis is worth a try now (waiting once for the connection opening at start-up). */
  async redisUsable(): Promise<boolean> {
    if (this.startup) {
      await this.startup;
      this.startup = undefined;
    }
    return this.redisReady();
  }

  /**
   * Redis, else PostgreSQL, else the spool; resolves with the code the row is stored under. Only a
   * reserved code goes through Redis (the worker's insert skips a code already stored, so an
   * unreserved code must be checked by a direct insert), and only once its journal line is on disk.
   */
  async deliver(record: NewErrorRecord, captureId: string, reserved: boolean): Promise<string> {
    const data = toErrorJobData(record);
    if (reserved && (await this.journalled({ record: data, captureId, reserved, persisted: false })) && (await this.enqueue(data)))
      return record.errorCode;
    const stored = await this.persistDirectly(record);
    // Spooled either way: a stored row still needs its Discord log (and its code a reservation).
    // A reserved code stays reserved unless the row went under a new one: spooled as unreserved,
    // its replay would find the code's own reservation, take it for another error's and store the
    // error a second time under a new code.
    const entry: SpoolEntry = {
      record: toErrorJobData(stored ?? record),
      captureId,
      reserved: reserved && (stored === null || stored.errorCode === record.errorCode),
      persisted: stored !== null,
    };
    try {
      this.deps.spool.append(entry);
    } catch (spoolError) {
      this.deps.logger.error(
        { err: spoolError, error: entry.record },
        'error tracker: could not write the spool; the error is only in this log line',
      );
    }
    return entry.record.errorCode;
  }

  private async enqueue(data: ErrorJobData): Promise<boolean> {
    if (!(await this.redisUsable())) return false;
    try {
      const opts = { jobId: errorJobId(data.errorCode) };
      const { errorPersistence, discordLog } = this.deps.queues;
      await withDeadline(
        Promise.all([errorPersistence.add('persist', data, opts), discordLog.add('log', data, opts)]),
        this.options.redisTimeoutMs,
        'Redis enqueue',
      );
      return true;
    } catch (error) {
      this.deps.logger.warn({ err: error, code: data.errorCode }, 'error tracker: Redis unavailable, writing the error to PostgreSQL');
      return false;
    }
  }

  /**
   * Inserts straight into PostgreSQL. A code already taken is usually this very error (its queued
   * job landed after the enqueue deadline fired): then it is stored already. Only a row that is
   * really another error (possible when the code was not reserved) makes it take a new code.
   */
  private async persistDirectly(record: NewErrorRecord): Promise<NewErrorRecord | null> {
    const { db, logger } = this.deps;
    const bounded = <T>(work: Promise<T>, what: string) => withDeadline(work, this.options.databaseTimeoutMs, what);
    let current = record;
    try {
      for (let attempt = 0; attempt < MAX_RECODES; attempt += 1) {
        if (await bounded(db.recordError(current), 'PostgreSQL insert')) return current;
        if (isSameError(await bounded(db.getError(current.errorCode), 'PostgreSQL read'), current)) return current;
        current = { ...current, errorCode: this.options.generateCode() };
      }
      logger.error({ code: record.errorCode }, 'error tracker: every generated code was taken');
    } catch (error) {
      logger.warn({ err: error, code: record.errorCode }, 'error tracker: PostgreSQL unavailable too, spooling the error locally');
    }
    return null;
  }

  /** False when the journal cannot be written: the error then skips Redis, whose jobs a crash can lose. */
  private async journalled(entry: SpoolEntry): Promise<boolean> {
    try {
      await this.deps.journal.record(entry);
      return true;
    } catch (error) {
      this.deps.logger.error(
        { err: error, code: entry.record.errorCode },
        'error tracker: could not write the journal; writing the error to PostgreSQL',
      );
      return false;
    }
  }
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
