import { Client } from 'pg';
import { redactText } from '../errors/redact';
import { createDataSource } from './data-source';

/** Any fixed 64-bit number: the advisory lock that serialises concurrent `migrate` runs. */
const MIGRATION_LOCK_KEY = 7_370_632_901;

export interface MigrationResult {
  databaseCreated: boolean;
  applied: string[];
}

/**
 * Creates the database named in `url` if it does not exist, then applies pending migrations.
 * Idempotent; safe when several processes run it at once (creation races are tolerated and
 * migrations run under a PostgreSQL advisory lock).
 */
export async function migrate(url: string): Promise<MigrationResult> {
  const databaseCreated = await createDatabaseIfMissing(url);
  const lockClient = new Client({ connectionString: url, application_name: 'moddy-migrate' });
  await lockClient.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'moddy-migrate' });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return { databaseCreated, applied: applied.map((migration) => migration.name) };
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockClient.end();
  }
}

/** Returns true when this call created the database. */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL names no database: ${redactText(url)}`);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString(), application_name: 'moddy-migrate' });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) return false;
    try {
      // Identifiers cannot be bound as parameters: quote it the way PostgreSQL does.
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
      return true;
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if (isPgError(error) && (error.code === '42P04' || error.code === '23505')) return false;
      throw error;
    }
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

/** A connection string fit for logs: the project's one redactor (stored errors and logs use it too). */
export { redactText as redact };
