import { getConfig } from '../config';
import { loadEnvFile } from '../core/env-file';
import { ConfigError } from '../core/moddy-error';
import { describeAdoption } from './adoption/describe';
import { redactText } from '../core/redact';
import { migrate, planMigration, revertLastMigration } from './migrate';

/**
 * `npm run migrate`: creates the database if missing, adopts the original Moddy schema, applies
 * pending migrations. `-- --dry-run` prints what it would do and changes nothing; `-- --revert`
 * reverts the last migration (with NODE_ENV=production only with `--yes`).
 */
const FLAGS = ['--dry-run', '--revert', '--yes'] as const;
type Flag = (typeof FLAGS)[number];

function parseFlags(args: readonly string[]): Set<Flag> {
  const unknown = args.filter((arg) => !(FLAGS as readonly string[]).includes(arg));
  if (unknown.length > 0) throw new Error(`unknown argument(s) ${unknown.join(' ')}; expected ${FLAGS.join(', ')}`);
  const flags = new Set(args as Flag[]);
  if (flags.has('--dry-run') && flags.has('--revert')) throw new Error('--dry-run and --revert exclude each other');
  return flags;
}

async function main(): Promise<void> {
  loadEnvFile();
  const flags = parseFlags(process.argv.slice(2));
  const config = getConfig();
  const url = config.DATABASE_URL;
  const print = (line: string): void => console.log(line);
  print(`database: ${redactText(url)}`);

  if (flags.has('--revert')) {
    const reverted = await revertLastMigration(url, { production: config.NODE_ENV === 'production', confirmed: flags.has('--yes') });
    print(reverted ? `reverted ${reverted}` : 'no migration to revert');
    return;
  }

  if (flags.has('--dry-run')) {
    const plan = await planMigration(url);
    print('dry run: nothing is changed');
    if (!plan.databaseExists) print('the database does not exist: it would be created');
    if (plan.adoption) {
      print('the original Moddy schema would be adopted:');
      describeAdoption(plan.adoption).forEach((line) => print(`  ${line}`));
      if (plan.adoption.blockers.length > 0) print('adoption would be refused, changing nothing, until the blockers are fixed');
    }
    const byAdoption = plan.adoption ? ' (the first one built by adoption)' : '';
    print(plan.pending.length > 0 ? `migrations to apply${byAdoption}: ${plan.pending.join(', ')}` : 'schema is up to date');
    return;
  }

  const result = await migrate(url, { adoptOriginal: true });
  if (result.databaseCreated) print('created the database');
  if (result.adopted) {
    print('adopted the original Moddy schema:');
    describeAdoption(result.adopted).forEach((line) => print(`  ${line}`));
  }
  print(result.applied.length > 0 ? `applied ${result.applied.join(', ')}` : 'schema is up to date');
}

/** One readable line per error, whatever its shape. */
function oneLine(error: unknown): string {
  if (error instanceof ConfigError) return `invalid configuration: ${error.problems.join('; ')}`;
  // Connecting to a name with several addresses fails with an AggregateError whose own message is empty.
  if (error instanceof AggregateError && !error.message) return error.errors.map(oneLine).join('; ');
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // The work in flight is one transaction: PostgreSQL rolls it back when the connection drops.
    console.error(`migrate: ${signal} received, stopping; any unfinished transaction is rolled back`);
    process.exit(130);
  });
}

main().catch((error: unknown) => {
  console.error(`migrate: ${oneLine(error)}`);
  process.exitCode = 1;
});
