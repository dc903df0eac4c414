import { Client } from 'pg';
import type { Logger } from '../core/logger';
import type { FleetView } from './fleet';

/** PostgreSQL connections a host may open: a pool per cluster, and one for the manager's `/ready`. */
export function hostConnections(poolSize: number, clusters: number): number {
  return poolSize * clusters + 1;
}

/**
 * Logs the PostgreSQL connections the live hosts of the fleet may open together (workers and
 * boards come on top), and warns when that exceeds the server's `max_connections` minus its
 * reserved ones: past it, a busy moment fails connections. Through PgBouncer (`pgbouncer`), those
 * are PgBouncer's clients and the server only sees PgBouncer's own pools: it says so instead.
 */
export async function reportConnectionBudget(databaseUrl: string, view: FleetView, logger: Logger, pgbouncer = false): Promise<void> {
  const hosts = view.hosts.filter((host) => host.alive);
  const fleet = hosts.reduce((sum, host) => sum + (host.databaseConnections ?? 0), 0);
  if (pgbouncer) {
    logger.info(
      { hosts: hosts.length, fleetConnections: fleet },
      `the fleet's clusters may open ${fleet} connections to PgBouncer (its max_client_conn must allow them, workers and boards on top); PostgreSQL sees only PgBouncer's pools`,
    );
    return;
  }
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000, application_name: 'moddy-manager-budget' });
  try {
    await client.connect();
    const { rows } = await client.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections', 'superuser_reserved_connections')",
    );
    const setting = (name: string) => Number(rows.find((row) => row.name === name)?.setting ?? 0);
    const available = setting('max_connections') - setting('superuser_reserved_connections');
    const figures = { hosts: hosts.length, fleetConnections: fleet, available };
    if (fleet > available)
      logger.warn(
        figures,
        `the fleet's clusters may open ${fleet} PostgreSQL connections, over the ${available} the server allows: lower DATABASE_POOL_SIZE or raise max_connections`,
      );
    else
      logger.info(
        figures,
        `the fleet's clusters may open ${fleet} PostgreSQL connections of the ${available} the server allows (workers and boards come on top)`,
      );
  } catch (error) {
    logger.warn({ err: error }, 'could not compare the connection budget with max_connections');
  } finally {
    await client.end().catch(() => undefined);
  }
}
