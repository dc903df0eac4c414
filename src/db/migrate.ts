import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { MigrationExecutor, type DataSource, type Logger } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { adoptOriginalSchema } from './adoption/adopt';
import { ModdyError } from '../core/moddy-error';
import { AdoptionNotRequestedError } from './adoption/adoption-errors';
import { inspectSchema, type SchemaState } from './adoption/inspect';
import { analyseOriginal, type AdoptionReport } from './adoption/report';
import { redactText } from '../core/redact';
import { createDataSource } from './data-source';

/** Any fixed 64-bit number: the advisory lock that serialises concurrent `migrate` runs. */
const MIGRATION_LOCK_KEY = 7_370_632_901;

/** `--revert` in production without `--yes`. Nothing was reverted. */
export class RevertRefusedError extends ModdyError {
  readonly code = 'REVERT_REFUSED';

  constructor(migration: string) {
    super(`Refusing to revert ${migration} with NODE_ENV=production; add --yes to confirm`);
  }
}

export interface MigrateOptions {
  /**
   * Adopt a database that holds the original Moddy's tables (see `adoption/`). Default false:
   * such a database is refused with `AdoptionNotRequestedError`, so that only an operator's
   * explicit `npm run migrate` (after a backup) upgrades it, never a process's start-up.
   */
  adoptOriginal?: boolean;
}

export interface MigrationResult {
  databaseCreated: boolean;
  /** Names of the migrations applied, oldest first (the first one's schema built by adoption, if any). */
  applied: string[];
  /** What adoption did, when this run adopted the original schema. */
  adopted: AdoptionReport | null;
}

/** What `migrate` would do, read without changing anything (`--dry-run`). */
export interface MigrationPlan {
  databaseExists: boolean;
  state: SchemaState;
  pending: string[];
  adoption: AdoptionReport | null;
}

export interface RevertOptions {
  /** Refuse unless `confirmed` (NODE_ENV=production). Default false. */
  production?: boolean;
  confirmed?: boolean;
}

/**
 * Creates the database named in `url` if it does not exist, adopts the original schema when asked
 * to, then applies pending migrations. Idempotent; safe when several processes run it at once
 * (creation races are tolerated; inspection, adoption and migrations run under an advisory lock
 * that holds behind PgBouncer in transaction mode, see `withMigrationLock`).
 * A schema that is neither this project's nor the original's throws `SchemaMismatchError`.
 */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<MigrationResult> {
  const databaseCreated = await createDatabaseIfMissing(url);
  return withMigrationLock(url, async (dataSource) => {
    let adopted: AdoptionReport | null = null;
    const adoptedMigrations: string[] = [];
    if ((await inspectSchema(dataSource)) === 'original') {
      if (!options.adoptOriginal) throw new AdoptionNotRequestedError();
      adopted = await adoptOriginalSchema(dataSource);
      if (adopted) adoptedMigrations.push(...(await executedMigrations(dataSource)));
    }
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { databaseCreated, applied: [...adoptedMigrations, ...applied.map((migration) => migration.name)], adopted };
  });
}

/** What `migrate` would do, in a read-only transaction: nothing is created, locked or changed. */
export async function planMigration(url: string): Promise<MigrationPlan> {
  if (!(await databaseExists(url))) {
    return { databaseExists: false, state: 'empty', pending: MIGRATIONS.map((migration) => migration.name), adoption: null };
  }
  const dataSource = createDataSource({ url, poolSize: 1, applicationName: 'moddy-migrate', timeouts: MIGRATION_TIMEOUTS });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction('REPEATABLE READ');
    await runner.query('SET TRANSACTION READ ONLY');
    const state = await inspectSchema(runner);
    const adoption = state === 'original' ? await analyseOriginal(runner) : null;
    const pending = (await new MigrationExecutor(dataSource, runner).getPendingMigrations()).map((migration) => migration.name);
    return { databaseExists: true, state, pending, adoption };
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    await runner.release();
    await dataSource.destroy();
  }
}

/** Reverts the last applied migration under the migration lock; returns its name, or null when none was applied. */
export async function revertLastMigration(url: string, options: RevertOptions = {}): Promise<string | null> {
  return withMigrationLock(url, async (dataSource) => {
    const [last] = await executedMigrations(dataSource);
    if (last === undefined) return null;
    if (options.production && !options.confirmed) throw new RevertRefusedError(last);
    await dataSource.undoLastMigration({ transaction: 'each' });
    return last;
  });
}

/** Names of the applied migrations, latest first. */
async function executedMigrations(dataSource: DataSource): Promise<string[]> {
  return (await new MigrationExecutor(dataSource).getExecutedMigrations()).map((migration) => migration.name);
}

/**
 * TypeORM prints migration progress and failures itself, whatever `logging` says; the failure is
 * thrown too, and callers report it once (the CLI as one line).
 */
const SILENT_LOGGER: Logger = {
  logQuery: () => undefined,
  logQueryError: () => undefined,
  logQuerySlow: () => undefined,
  logSchemaBuild: () => undefined,
  logMigration: () => undefined,
  log: () => undefined,
};

/** Adopting or migrating a large database runs long statements: only the connection wait is bounded. */
const MIGRATION_TIMEOUTS = { statementMs: 0, queryMs: 0, idleInTransactionMs: 0 };

/** How long a `migrate` waiting for another one's lock sleeps between two tries. */
const MIGRATION_LOCK_RETRY_MS = 250;

/**
 * Runs `use` while this process holds the migration lock: a transaction-level advisory lock
 * (`pg_advisory_xact_lock`) held by an open transaction on a connection of its own, released by
 * its COMMIT or by the connection dying. Unlike a session lock, it stays correct behind PgBouncer
 * in transaction mode, which pins the connection to one server for the whole transaction (a
 * session lock taken there stays on a server connection that other clients then reuse). A waiter
 * tries again every `MIGRATION_LOCK_RETRY_MS` outside any transaction rather than blocking inside
 * one, so waiting processes pin no PgBouncer server connection the holder's migrations need.
 */
async function withMigrationLock<T>(url: string, use: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const lockClient = new Client({ connectionString: url, application_name: 'moddy-migrate' });
  await lockClient.connect();
  try {
    await takeMigrationLock(lockClient);
    const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'moddy-migrate', timeouts: MIGRATION_TIMEOUTS }).setOptions({
      logger: SILENT_LOGGER,
    });
    await dataSource.initialize();
    try {
      return await use(dataSource);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    // Releases the lock; a dead connection released it already.
    await lockClient.query('COMMIT').catch(() => undefined);
    await lockClient.end();
  }
}

/** Opens the lock transaction on `client` once the lock is free; returns holding it. */
async function takeMigrationLock(client: Client): Promise<void> {
  for (;;) {
    await client.query('BEGIN');
    // A role-level idle_in_transaction_session_timeout must not end the lock during a long migration.
    await client.query('SET LOCAL idle_in_transaction_session_timeout = 0');
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [MIGRATION_LOCK_KEY]);
    if (rows[0]?.locked) return;
    await client.query('ROLLBACK');
    await sleep(MIGRATION_LOCK_RETRY_MS);
  }
}

/** Returns true when this call created the database. */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const name = databaseName(url);
  return withMaintenanceClient(url, async (client) => {
    if (await exists(client, name)) return false;
    try {
      // Identifiers cannot be bound as parameters: quote it the way PostgreSQL does.
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
      return true;
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if (isPgError(error) && (error.code === '42P04' || error.code === '23505')) return false;
      throw error;
    }
  });
}

async function databaseExists(url: string): Promise<boolean> {
  const name = databaseName(url);
  return withMaintenanceClient(url, (client) => exists(client, name));
}

async function exists(client: Client, name: string): Promise<boolean> {
  return ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
}

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL names no database: ${redactText(url)}`);
  return name;
}

async function withMaintenanceClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  return withClient(maintenance.toString(), use);
}

/** One plain connection to `url` for `use`, closed afterwards. */
export async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'moddy-migrate' });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function isPgError(error: unknown): error is { code: string } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}
