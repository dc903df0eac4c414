import { getConfig } from '../config';
import { createLogger } from '../core/logger';
import { migrate, redact } from './migrate';

async function main(): Promise<void> {
  const config = getConfig();
  const log = createLogger('migrate');
  const result = await migrate(config.DATABASE_URL);
  log.info(
    { database: redact(config.DATABASE_URL), created: result.databaseCreated, applied: result.applied },
    result.applied.length ? `applied ${result.applied.length} migration(s)` : 'schema is up to date',
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
