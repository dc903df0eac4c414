import { Client } from 'pg';
import { globLiteral, scanKeys, unlinkKeys } from '../src/cache/scan';
import { getConfig } from '../src/config';
import { migrate, quoteIdentifier } from '../src/db/migrate';
import { createRedisConnection, redisTargetFromConfig, type RedisTarget } from '../src/redis';

export interface ScratchDatabase {
  /** The migrated database's URL (same server and credentials as `DATABASE_URL`). */
  url: string;
  /** Runs SQL on the scratch database. */
  query(sql: string): Promise<void>;
  drop(): Promise<void>;
}

async function runSql(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A freshly migrated database `moddy_bench_<label>_<pid>` on the configured server (dropped first if a crashed run left it). */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const base = new URL(getConfig().DATABASE_URL);
  const name = `moddy_bench_${label}_${process.pid}`;
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  const admin = new URL(base.toString());
  admin.pathname = '/postgres';
  const drop = () => runSql(admin.toString(), `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  await drop();
  await migrate(url.toString());
  return { url: url.toString(), query: (sql) => runSql(url.toString(), sql), drop };
}

/** Deletes every key under `prefix` on `target` (default: the configured Redis): what a bench's processes cached and queued. */
export async function deleteRedisPrefix(prefix: string, target: RedisTarget = redisTargetFromConfig(getConfig())): Promise<void> {
  const redis = createRedisConnection(target);
  try {
    await scanKeys(redis, `${globLiteral(prefix)}:*`, async (keys, node) => void (await unlinkKeys(redis, node, keys)));
  } finally {
    redis.disconnect();
  }
}
