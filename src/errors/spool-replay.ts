import type { RedisConnection } from '../redis';
import type { ModdyDatabase } from '../db/api';
import { errorJobId, fromErrorJobData } from '../queues/job-data';
import type { ModdyQueues } from '../queues/queues';
import type { CodeReservations } from './code-reservation';
import type { ErrorSpool, SpoolEntry } from './spool';
import type { TrackerLogger } from './tracker';

export interface SpoolReplayerDeps {
  redis: RedisConnection;
  queues: Pick<ModdyQueues, 'discordLog'>;
  db: Pick<ModdyDatabase, 'recordErrors'>;
  spool: ErrorSpool;
  reservations: CodeReservations;
  logger: TrackerLogger;
}

/** Entries per round: one multi-row insert and one `addBulk` each. */
const CHUNK = 500;

/**
 * Delivers spooled errors once Redis and PostgreSQL are back: reserves codes that were never
 * reserved, inserts the rows (idempotent per code) and enqueues their Discord logs (job id = code,
 * so a second replay posts nothing twice). What fails stays in the spool for the next replay.
 */
export class SpoolReplayer {
  private running: Promise<number> | undefined;

  constructor(private readonly deps: SpoolReplayerDeps) {}

  /** One replay at a time; a call during a replay joins it. */
  replay(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<number> {
    if (this.deps.redis.status !== 'ready') return 0;
    let delivered = 0;
    for (const file of this.deps.spool.claim()) {
      const entries = this.deps.spool.read(file);
      let done = 0;
      try {
        for (; done < entries.length; done += CHUNK) {
          await this.deliver(entries.slice(done, done + CHUNK));
          delivered += Math.min(CHUNK, entries.length - done);
        }
      } finally {
        this.deps.spool.settle(file, entries.slice(done));
      }
    }
    return delivered;
  }

  private async deliver(entries: SpoolEntry[]): Promise<void> {
    for (const entry of entries) {
      if (!entry.reserved) await this.reserve(entry);
    }
    const unpersisted = entries.filter((entry) => !entry.persisted).map((entry) => fromErrorJobData(entry.record));
    if (unpersisted.length > 0) await this.deps.db.recordErrors(unpersisted);
    for (const entry of entries) entry.persisted = true;
    await this.deps.queues.discordLog.addBulk(entries.map((entry) => ({ name: 'log', data: entry.record, opts: { jobId: errorJobId(entry.record.errorCode) } })));
  }

  /**
   * Claims a code that was shown without a reservation. Taken by another error (a 1-in-10^12 repeat
   * during an outage of both services): the error keeps its data under a new code, and the clash
   * is logged loudly because the code the user was shown now names the other error.
   */
  private async reserve(entry: SpoolEntry): Promise<void> {
    const code = entry.record.errorCode;
    if (!(await this.deps.reservations.claim(code, entry.captureId))) {
      const fresh = await this.deps.reservations.reserveFresh(entry.captureId);
      this.deps.logger.error({ shownCode: code, storedCode: fresh }, 'error tracker: a spooled error code was already taken; stored under a new code');
      entry.record = { ...entry.record, errorCode: fresh, context: { ...entry.record.context, shownCode: code } };
      entry.persisted = false;
    }
    entry.reserved = true;
  }
}
