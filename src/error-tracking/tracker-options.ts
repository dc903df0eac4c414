import { generateErrorCode } from '../core/error-code';
import { DEFAULT_CODE_POOL_SIZE } from './code-reservation';
import { DEFAULT_CONTEXT_MAX_BYTES } from './context';
import { DEFAULT_JOURNAL_CONFIRM_AFTER_MS } from './journal';

export interface ErrorTrackerOptions {
  /** Prefix of the code reservations in Redis (`<prefix>:errors:code:<CODE>`). */
  prefix: string;
  /** `ERROR_RETENTION_DAYS`: reservations outlive the rows by a week. */
  retentionDays: number;
  /** Default `generateErrorCode` (injectable so a test can make it repeat itself). */
  generateCode?: () => string;
  /** Stack frames under this directory are "our code" (`file_source`). Default: the working directory when the tracker is made. */
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

export type ResolvedTrackerOptions = Required<ErrorTrackerOptions>;

/** Every option of the tracker, its default filled in (the defaults are documented on `ErrorTrackerOptions`). */
export function resolveTrackerOptions(options: ErrorTrackerOptions): ResolvedTrackerOptions {
  return {
    prefix: options.prefix,
    retentionDays: options.retentionDays,
    generateCode: options.generateCode ?? generateErrorCode,
    projectRoot: options.projectRoot ?? process.cwd(),
    contextMaxBytes: options.contextMaxBytes ?? DEFAULT_CONTEXT_MAX_BYTES,
    codePoolSize: options.codePoolSize ?? DEFAULT_CODE_POOL_SIZE,
    redisTimeoutMs: options.redisTimeoutMs ?? 500,
    databaseTimeoutMs: options.databaseTimeoutMs ?? 2000,
    replayIntervalMs: options.replayIntervalMs ?? 30_000,
    journalConfirmAfterMs: options.journalConfirmAfterMs ?? DEFAULT_JOURNAL_CONFIRM_AFTER_MS,
  };
}
