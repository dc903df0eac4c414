import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { globLiteral, scanKeys, unlinkKeys } from '../../src/cache/scan';
import { createRedisConnection, type RedisConnection, type RedisTargetLike } from '../../src/redis';
import type { ErrorRecord } from '../../src/db/api';
import type { PostgresDatabase } from '../../src/db/postgres-database';
import { CODE_ALPHABET } from '../../src/core/error-code';
import { ErrorSpool } from '../../src/error-tracking/spool';
import { createErrorTracker, type ErrorTracker } from '../../src/error-tracking/tracker';
import type { ErrorTrackerOptions } from '../../src/error-tracking/tracker-options';
import { createProducerConnection } from '../../src/queues/connection';
import { createQueues, type ModdyQueues } from '../../src/queues/queues';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { eventually as poll } from '../helpers/eventually';

/** A logger that keeps what it was told (tests assert warnings), printing nothing. */
export class RecordingLogger {
  readonly lines: { level: string; message: string; data: unknown }[] = [];

  private record(level: string, data: unknown, message?: string): void {
    this.lines.push({ level, message: typeof data === 'string' ? data : (message ?? ''), data });
  }

  info = (data: unknown, message?: string): void => this.record('info', data, message);
  warn = (data: unknown, message?: string): void => this.record('warn', data, message);
  error = (data: unknown, message?: string): void => this.record('error', data, message);

  messages(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}

/** Typed as pino's: the code under test only calls info/warn/error. */
export const asLogger = (logger: RecordingLogger): pino.Logger => logger as unknown as pino.Logger;

/** The error pipeline's effects land within seconds: a longer default deadline than the shared helper's. */
export const eventually = <T>(
  read: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 15_000,
): Promise<T> => poll(read, timeoutMs);

/** A spool file in a temporary directory of this test's own. */
export function temporarySpool(): { spool: ErrorSpool; remove(): void } {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'moddy-spool-'));
  return {
    spool: new ErrorSpool(path.join(directory, 'errors.ndjson')),
    remove: () => fs.rmSync(directory, { recursive: true, force: true }),
  };
}

/** Deletes every key under a test prefix (and its hash-tagged form, BullMQ's on a cluster). */
export async function deletePrefix(prefix: string, target: RedisTargetLike = TEST_REDIS_URL): Promise<void> {
  const redis = createRedisConnection(target, { maxRetriesPerRequest: 1 });
  try {
    for (const pattern of [`${globLiteral(prefix)}:*`, `{${globLiteral(prefix)}}:*`]) {
      await scanKeys(redis, pattern, async (keys, node) => void (await unlinkKeys(redis, node, keys)));
    }
  } finally {
    redis.disconnect();
  }
}

/** A tracker on real Redis (own prefix) and a real test database, with its queues and spool. */
export interface TrackerFixture {
  prefix: string;
  redis: RedisConnection;
  queues: ModdyQueues;
  tracker: ErrorTracker;
  spool: ErrorSpool;
  logger: RecordingLogger;
  close(): Promise<void>;
}

export async function openTracker(
  db: Pick<PostgresDatabase, 'recordError' | 'recordErrors' | 'getError'>,
  options: Partial<ErrorTrackerOptions> & { redis?: RedisTargetLike; prefix?: string; spool?: ErrorSpool } = {},
): Promise<TrackerFixture> {
  const prefix = options.prefix ?? testPrefix('errors');
  const redis = createProducerConnection(options.redis ?? TEST_REDIS_URL);
  const queues = createQueues({ connection: redis, prefix });
  const { spool, remove } = options.spool ? { spool: options.spool, remove: () => undefined } : temporarySpool();
  const logger = new RecordingLogger();
  const tracker = createErrorTracker(
    { redis, queues, db, spool, logger: asLogger(logger) },
    { prefix, retentionDays: 30, replayIntervalMs: 0, ...options },
  );
  return {
    prefix,
    redis,
    queues,
    tracker,
    spool,
    logger,
    async close() {
      await tracker.close();
      await queues.close();
      redis.disconnect();
      remove();
    },
  };
}

/** Every stored error, by code. */
export async function storedErrors(db: PostgresDatabase): Promise<Map<string, ErrorRecord>> {
  const rows = (await db.dataSource.query(`SELECT error_code AS "errorCode", message FROM errors`)) as ErrorRecord[];
  return new Map(rows.map((row) => [row.errorCode, row]));
}

export async function countErrors(db: PostgresDatabase): Promise<number> {
  const [row] = (await db.dataSource.query('SELECT count(*)::int AS n FROM errors')) as { n: number }[];
  return row?.n ?? 0;
}

/** Distinct valid codes: `lead` then a sequence number written in the code alphabet. */
export function codeSequence(lead: string): () => string {
  let sequence = 0;
  return () => {
    sequence += 1;
    let code = '';
    for (let n = sequence, i = 0; i < 7; i += 1, n = Math.floor(n / 32)) code = (CODE_ALPHABET[n % 32] ?? '0') + code;
    return `${lead}${code}`;
  };
}
