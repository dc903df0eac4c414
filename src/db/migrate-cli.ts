import { getConfig } from '../config';
import { runEntryPoint } from '../core/entry-point';
import type { Logger } from '../core/logger';
import { migrate, redact } from './migrate';

async function main(log: Logger): Promise<void> {
  const config = getConfig();
  const result = await migrate(config.DATABASE_URL);
  log.info(
    { database: redact(config.DATABASE_URL), created: result.databaseCreated, applied: result.applied },
    result.applied.length ? `applied ${result.applied.length} migration(s)` : 'schema is up to date',
  );
}

runEntryPoint('migrate', main);
