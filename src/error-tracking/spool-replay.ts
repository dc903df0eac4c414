import { ValidationError } from '../core/moddy-error';
import type { RedisConnection } from '../redis';
import type { ModdyDatabase } from '../db/api';
import { errorJobId, fromErrorJobData } from '../queues/job-data';
import type { ModdyQueues } from '../queues/queues';
import type { CodeReservations } from './code-reservation';
import { MAX_ENTRY_FAILURES, type ErrorSpool, type SpoolEntry } from './spool';
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

/**
 * SQLSTATE classes that blame the database, not the row: connection (08), authorisation (28, 42),
 * missing catalog/schema (3D, 3F), rollback (40), resources (53), object state (55), operator
 * intervention and statement timeouts (57), system and internal errors (58, XX).
 */
const SERVICE_STATES = /^(08|28|3D|3F|40|42|53|55|57|58|XX)/;
/** A SQLSTATE (not a Node error code such as `EPIPE`): classes start with a digit, or are F0, HV, P0, XX. */
const SQLSTATE = /^([0-9][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/;

/** Refused as invalid, or PostgreSQL answered and refused this row (any other SQLSTATE: data, integrity, a trigger…). */
function isEntryFault(error: unknown): boolean {
  if (isInvalid(error)) return true;
  const state =
    (error as { driverError?: { code?: unknown }; code?: unknown } | null)?.driverError?.code ?? (error as { code?: unknown } | null)?.code;
  return typeof state === 'string' && SQLSTATE.test(state) && !SERVICE_STATES.test(state);
}

/** Nothing went through and no failure is the entries' own: the services are down. */
function outage(delivered: number, failed: readonly { error: unknown }[]): boolean {
  return delivered === 0 && !failed.some(({ error }) => isEntryFault(error));
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
    // A file whose services seem down does not keep the other files from being tried.
    let outageError: SpoolOutageError | undefined;
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
        if (!(error instanceof SpoolOutageError)) throw error;
        rest = [...error.order, ...rest.slice(CHUNK)];
        outageError = error;
      } finally {
        this.deps.spool.settle(file, [...rest, ...retry]);
      }
    }
    if (outageError) throw outageError;
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
        const error = await this.deliver([entry]).then(
          () => undefined,
          (reason: unknown) => reason ?? new Error('delivery failed'),
        );
        if (error === undefined) delivered += 1;
        else failed.push({ entry, error });
        if (failed.length >= OUTAGE_PROBES && outage(delivered, failed)) break;
      }
      if (outage(delivered, failed)) {
        const tried = new Set(failed.map(({ entry }) => entry));
        throw new SpoolOutageError(chunk.filter((entry) => !tried.has(entry)).concat([...tried]), chunkError);
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
        this.deps.logger.error(
          { code: entry.record?.errorCode, reason, quarantine: this.deps.spool.quarantineFile },
          'error tracker: a spooled error keeps failing; quarantined',
        );
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
    await this.deps.queues.discordLog.addBulk(
      entries.map((entry) => ({ name: 'log', data: entry.record, opts: { jobId: errorJobId(entry.record.errorCode) } })),
    );
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
      this.deps.logger.error(
        { shownCode: code, storedCode: fresh },
        'error tracker: a spooled error code was already taken; stored under a new code',
      );
      entry.record = { ...entry.record, errorCode: fresh, context: { ...entry.record.context, shownCode: code } };
      entry.persisted = false;
    }
    entry.reserved = true;
  }
}
