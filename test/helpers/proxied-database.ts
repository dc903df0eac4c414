import { createDataSource } from '../../src/db/data-source';
import { PostgresDatabase } from '../../src/db/postgres-database';
import { TcpProxy } from './redis-process';
import type { TestDatabase } from './database';

/** The data API on `database` reached through a TCP relay: `proxy.cut()` takes PostgreSQL "down", `proxy.restore()` brings it back. */
export async function openProxiedDatabase(database: TestDatabase): Promise<{ db: PostgresDatabase; proxy: TcpProxy }> {
  const url = new URL(database.url);
  const proxy = await TcpProxy.start(Number(url.port || 5432));
  url.port = String(proxy.port);
  const dataSource = createDataSource({ url: url.toString(), poolSize: 5 });
  await dataSource.initialize();
  return { db: new PostgresDatabase(dataSource), proxy };
}
