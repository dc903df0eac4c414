import { MigrationExecutor, type DataSource } from 'typeorm';
import { select } from '../sql';
import { copyStatement } from './conversions';
import { AdoptionBlockedError } from './adoption-errors';
import { inspectSchema } from './inspect';
import { ORIGINAL_TABLES } from './original-schema';
import { analyseOriginal, type AdoptionReport } from './report';

/** Where the original tables wait, inside the adoption transaction, while their rows are copied. */
const SOURCE_SCHEMA = 'moddy_adoption_source';

/**
 * Upgrades the original Moddy's tables in place, in one transaction (the caller holds the
 * migration lock): the original tables move aside, the first migration builds this project's
 * schema and is recorded as applied, every row is copied with the documented conversions, and the
 * original tables are dropped. Later migrations then apply as on any database. On any failure
 * nothing is changed. Returns `null` when the schema is not (or no longer) the original one.
 */
export async function adoptOriginalSchema(dataSource: DataSource): Promise<AdoptionReport | null> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    // A server-wide statement_timeout meant for the bot's queries must not cut a large copy short.
    await runner.query(`SET LOCAL statement_timeout = 0`);
    if ((await inspectSchema(runner)) !== 'original') {
      await runner.rollbackTransaction();
      return null;
    }
    const report = await analyseOriginal(runner);
    if (report.blockers.length > 0) throw new AdoptionBlockedError(report.blockers);

    await runner.query(`CREATE SCHEMA ${SOURCE_SCHEMA}`);
    for (const table of ORIGINAL_TABLES) await runner.query(`ALTER TABLE ${table} SET SCHEMA ${SOURCE_SCHEMA}`);
    const executor = new MigrationExecutor(dataSource, runner);
    const [baseline] = await executor.getPendingMigrations();
    if (!baseline) throw new Error('no migration to build the schema from');
    await executor.executeMigration(baseline);

    // Secondary indexes are built once after the bulk copy, far faster than maintained row by row.
    const indexes = await select<{ name: string; definition: string }>(
      runner,
      `SELECT index.relname AS name, pg_get_indexdef(ix.indexrelid) AS definition
       FROM pg_index ix
       JOIN pg_class index ON index.oid = ix.indexrelid
       JOIN pg_class tab ON tab.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = tab.relnamespace
       WHERE n.nspname = current_schema() AND tab.relname = ANY($1::text[])
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)`,
      [ORIGINAL_TABLES],
    );
    for (const index of indexes) await runner.query(`DROP INDEX ${index.name}`);
    for (const table of ORIGINAL_TABLES) await runner.query(copyStatement(table, SOURCE_SCHEMA));
    await runner.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const index of indexes) await runner.query(index.definition);
    await runner.query(
      `SELECT setval(pg_get_serial_sequence('attribute_changes', 'id'), COALESCE(max(id), 0) + 1, false) FROM attribute_changes`,
    );
    // No CASCADE: an object of the operator's that depends on an original table stops the adoption.
    for (const table of ORIGINAL_TABLES) await runner.query(`DROP TABLE ${SOURCE_SCHEMA}.${table}`);
    await runner.query(`DROP SCHEMA ${SOURCE_SCHEMA}`);
    await runner.commitTransaction();
    return report;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}
