import type Redis from 'ioredis';
import { ValidationError } from '../core/errors';
import type { ModdyDatabase } from '../db/api';
import { errorJobId, fromErrorJobData } from '../queues/job-data';
import type { ModdyQueues } from '../queues/queues';
import type { CodeReservations } from './code-reservation';
import { MAX_ENTRY_FAILURES, type ErrorSpool, type SpoolEntry } from './spool';
import type { TrackerLogger } from './tracker';

export interface SpoolReplayerDeps {
  redis: Redis;
  queues: Pick<ModdyQueues, 'discordLog'>;
  db: Pick<ModdyDatabase, 'recordErrors'>;
  spool: ErrorSpool;
  reservations: CodeReservations;
  logger: TrackerLogger;
}

/** Entries per round: one multi-row insert and one `addBulk` each. */
const CHUNK = 500;
/** Entries tried one by one, all failing for no reason of their own, before the services are judged down. */
const OUTAGE_PROBES = 3;

/** Nothing of a chunk could be delivered: `order` is how its entries wait for the next replay. */
class SpoolOutageError extends Error {
  declare readonly order: SpoolEntry[];

  constructor(order: SpoolEntry[], cause: unknown) {
    super('spool replay: the services refuse every entry', { cause });
    // Not enumerable: logging the error must not dump the entries.
    Object.defineProperty(this, 'order', { value: order, enumerable: false });
  }
}

/** Refused as invalid, or malformed (a spool line that is JSON but not an entry): never going through. */
function isInvalid(error: unknown): boolean {
  return error instanceof ValidationError || error instanceof TypeError;
}

/** PostgreSQL's SQLSTATE classes that blame the row: data exception (22), integrity (23), program limit (54). */
function isEntryFault(error: unknown): boolean {
  if (isInvalid(error)) return true;
  const state = (error as { driverError?: { code?: unknown }; code?: unknown } | null)?.driverError?.code ?? (error as { code?: unknown } | null)?.code;
  return typeof state === 'string' && /^(22|23|54)/.test(state);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

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
      let rest = this.deps.spool.read(file);
      const retry: SpoolEntry[] = [];
      try {
        while (rest.length > 0) {
          const outcome = await this.deliverChunk(rest.slice(0, CHUNK));
          rest = rest.slice(CHUNK);
          delivered += outcome.delivered;
          retry.push(...outcome.retry);
        }
      } catch (error) {
        if (error instanceof SpoolOutageError) rest = [...error.order, ...rest.slice(CHUNK)];
        throw error;
      } finally {
        this.deps.spool.settle(file, [...rest, ...retry]);
      }
    }
    return delivered;
  }

  /**
   * One chunk in one round trip each way; when that fails, entry by entry, so a poison entry cannot
   * hold back the others. An entry that fails while others go through is counted, and quarantined
   * (see `ErrorSpool.quarantine`) when it is refused as invalid or after `MAX_ENTRY_FAILURES`.
   * When nothing goes through the services are down: throws, and the chunk waits untouched (tried
   * entries moved last, so the next replay starts with others).
   */
  private async deliverChunk(chunk: SpoolEntry[]): Promise<{ delivered: number; retry: SpoolEntry[] }> {
    try {
      await this.deliver(chunk);
      return { delivered: chunk.length, retry: [] };
    } catch (chunkError) {
      const failed: { entry: SpoolEntry; error: unknown }[] = [];
      let delivered = 0;
      for (const entry of chunk) {
        const error = await this.deliver([entry]).then(() => undefined, (reason: unknown) => reason ?? new Error('delivery failed'));
        if (error === undefined) delivered += 1;
        else failed.push({ entry, error });
        if (delivered === 0 && failed.length >= OUTAGE_PROBES && !failed.some(({ error: e }) => isEntryFault(e))) {
          const tried = new Set(failed.map(({ entry: e }) => e));
          throw new SpoolOutageError(chunk.filter((e) => !tried.has(e)).concat([...tried]), chunkError);
        }
      }
      const quarantined: { entry: SpoolEntry; reason: string }[] = [];
      const retry: SpoolEntry[] = [];
      for (const { entry, error } of failed) {
        entry.failures = (entry.failures ?? 0) + 1;
        if (isInvalid(error) || entry.failures >= MAX_ENTRY_FAILURES) quarantined.push({ entry, reason: describe(error) });
        else retry.push(entry);
      }
      this.deps.spool.quarantine(quarantined);
      for (const { entry, reason } of quarantined) {
        this.deps.logger.error({ code: entry.record?.errorCode, reason, quarantine: this.deps.spool.quarantineFile }, 'error tracker: a spooled error keeps failing; quarantined');
      }
      return { delivered, retry };
    }
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
