import { Client } from 'pg';
import type { Config } from '../config';
import { redactText } from '../core/redact';
import { MIGRATIONS } from '../../migrations';
import { CheckFailed, checkGroup, describeError, fail, pass, type CheckResult } from './check';

/** Oldest PostgreSQL Moddy is run and tested on. */
const MIN_SERVER_VERSION = 14;
/** Pool of each cluster process and each worker process (connectDatabase, src/worker-roles). */
const POOL_PER_PROCESS = 10;
/** The manager's /health connection and a migration run (lock client + pool of 2). */
const MANAGER_CONNECTIONS = 4;
const WORKER_ROLES = 3;

export interface PostgresCheckOptions {
  /** Clusters this host runs (from the shard settings); `undefined` when unknown. */
  clusters?: number;
}

/** PostgreSQL: reachable, version, pending migrations, connection budget against `max_connections`. */
export function checkPostgres(config: Config, options: PostgresCheckOptions): Promise<CheckResult[]> {
  const where = redactText(config.DATABASE_URL);
  return checkGroup('PostgreSQL', `check that PostgreSQL answers at ${where}`, async (report) => {
    const client = new Client({ connectionString: config.DATABASE_URL, connectionTimeoutMillis: 5000, application_name: 'moddy-doctor' });
    try {
      await client.connect().catch((error: unknown) => {
        // 3D000: the server answers but the database does not exist yet.
        const missingDatabase = (error as { code?: string }).code === '3D000';
        const fix = missingDatabase
          ? 'run `npm run migrate` (it creates the database)'
          : 'start PostgreSQL, or fix DATABASE_URL (host, port, user, password, database)';
        throw new CheckFailed(fail('PostgreSQL reachable', `${where}: ${describeError(error)}`, fix));
      });
      report(pass('PostgreSQL reachable', where));

      const settings = await client.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_settings WHERE name IN ('server_version_num', 'server_version', 'max_connections', 'superuser_reserved_connections')",
      );
      const setting = (name: string) => settings.rows.find((row) => row.name === name)?.setting ?? '';
      const major = Math.floor(Number(setting('server_version_num')) / 10000);
      report(
        major >= MIN_SERVER_VERSION
          ? pass('PostgreSQL version', setting('server_version'))
          : fail('PostgreSQL version', setting('server_version'), `upgrade PostgreSQL to ${MIN_SERVER_VERSION} or later`),
      );

      const pending = await pendingMigrations(client);
      report(
        pending.length === 0
          ? pass('migrations', `${MIGRATIONS.length} applied, none pending`)
          : fail(
              'migrations',
              `${pending.length} pending: ${pending.join(', ')}`,
              'run `npm run migrate` (the bot also migrates at start)',
            ),
      );

      const available = Number(setting('max_connections')) - Number(setting('superuser_reserved_connections'));
      const used = Number(
        (
          await client.query<{ count: string }>('SELECT count(*) AS count FROM pg_stat_activity WHERE backend_type = $1', [
            'client backend',
          ])
        ).rows[0]?.count ?? 0,
      );
      if (options.clusters === undefined) {
        report(
          pass(
            'connection budget',
            `${available} connections available, ${used} in use (cluster count unknown: TOTAL_SHARDS=auto without Discord)`,
          ),
        );
      } else {
        const budget = (options.clusters + WORKER_ROLES) * POOL_PER_PROCESS + MANAGER_CONNECTIONS;
        const detail = `Moddy needs up to ${budget} (${options.clusters} cluster(s) + ${WORKER_ROLES} workers × ${POOL_PER_PROCESS}, + ${MANAGER_CONNECTIONS}) of ${available} (max_connections minus reserved); ${used} in use now`;
        report(
          budget <= available
            ? pass('connection budget', detail)
            : fail(
                'connection budget',
                detail,
                `raise max_connections to at least ${budget + Number(setting('superuser_reserved_connections'))} (or put PgBouncer in front), or run fewer clusters per host`,
              ),
        );
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  });
}

async function pendingMigrations(client: Client): Promise<string[]> {
  const expected = MIGRATIONS.map((migration) => new migration().name ?? migration.name);
  const table = await client.query(
    "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'moddy_migrations'",
  );
  if (!table.rowCount) return expected;
  const applied = new Set((await client.query<{ name: string }>('SELECT name FROM moddy_migrations')).rows.map((row) => row.name));
  return expected.filter((name) => !applied.has(name));
}
