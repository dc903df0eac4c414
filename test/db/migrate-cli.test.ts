import { spawn } from 'node:child_process';
import path from 'node:path';
import { MIGRATIONS } from '../../migrations';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createOriginalDatabase, runSql, snapshot } from './adopt-fixture';

const ROOT = path.join(__dirname, '../..');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `npm run migrate` entry (TypeScript compiled on load) with `args`. */
function runCli(url: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', path.join(ROOT, 'test/helpers/ts-register.cjs'), path.join(ROOT, 'src/db/migrate-cli.ts'), ...args],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: url, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Each run starts a Node process that compiles the entry on load: slow when the machine is busy.
jest.setTimeout(180_000);

describe('npm run migrate (the CLI)', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });
  const original = async () => {
    const database = await createOriginalDatabase();
    databases.push(database);
    return database.url;
  };

  it('--dry-run prints the adoption and changes nothing; then migrate adopts and prints what it did', async () => {
    const url = await original();
    const before = await snapshot(url);
    const dry = await runCli(url, ['--dry-run']);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toMatch(/dry run: nothing is changed/);
    expect(dry.stdout).toMatch(/tables: users 5 row\(s\), guilds 2 row\(s\), attribute_changes 5 row\(s\)/);
    expect(dry.stdout).toMatch(/attribute_changes\.old_value: 'False' or 'None' → absent \(NULL\) \(3 row\(s\)\)/);
    expect(dry.stdout).toMatch(/user 100000000000000003 BETA=false/);
    expect(dry.stdout).toMatch(/error codes kept but not reachable .*\n\s+ABC/);
    expect(await snapshot(url)).toEqual(before);

    const adopt = await runCli(url, []);
    expect(adopt).toMatchObject({ code: 0, stderr: '' });
    expect(adopt.stdout).toMatch(/adopted the original Moddy schema/);
    expect(adopt.stdout).toContain(`applied ${MIGRATIONS.map((migration) => migration.name).join(', ')}`);
    expect((await runCli(url, [])).stdout).toMatch(/schema is up to date/);
  });

  it('prints each error once, on one line, and exits non-zero', async () => {
    const url = await original();
    await runSql(url, ['ALTER TABLE errors ALTER COLUMN error_code TYPE CHAR(8)']);
    const foreign = await runCli(url, []);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^migrate: Refusing to migrate: .*errors\.error_code is character\(8\), the original's is character varying\(8\)$/,
      ),
    ]);

    // A migration failing inside TypeORM (which prints failures itself) is still reported once.
    const conflicting = await createTestDatabase();
    databases.push(conflicting);
    await runSql(conflicting.url, [
      `DELETE FROM moddy_migrations`,
      `INSERT INTO moddy_migrations (timestamp, name) VALUES (1, 'Elsewhere1')`,
    ]);
    const failing = await runCli(conflicting.url, []);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toBe('migrate: relation "errors" already exists\n');
    expect(failing.stdout).not.toMatch(/failed/);

    const unknown = await runCli(url, ['--force']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('migrate: unknown argument(s) --force; expected --dry-run, --revert, --yes\n');

    const badConfig = await runCli(url, [], { DATABASE_URL: 'mysql://nope' });
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--revert refuses in production without --yes', async () => {
    const url = await original();
    expect((await runCli(url, [])).code).toBe(0);
    const refused = await runCli(url, ['--revert'], { NODE_ENV: 'production' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^migrate: Refusing to revert \w+ with NODE_ENV=production; add --yes to confirm\n$/);
    const reverted = await runCli(url, ['--revert', '--yes'], { NODE_ENV: 'production' });
    expect(reverted).toMatchObject({ code: 0, stderr: '' });
    expect(reverted.stdout).toMatch(/reverted \w+/);
  });
});
