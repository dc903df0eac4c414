import { Client } from 'pg';
import { hostConnections, reportConnectionBudget } from '../../src/cluster/connection-budget';
import type { FleetHost, FleetView } from '../../src/cluster/fleet';
import { recordingLogger } from '../helpers/recording-logger';
import { TEST_POSTGRES_URL } from '../helpers/services';

/** Issue #13: the PostgreSQL connection budget each manager prints at start, against the real server's `max_connections`. */
describe('connection budget', () => {
  let available: number;

  beforeAll(async () => {
    const client = new Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    const { rows } = await client.query<{ n: number }>(
      "SELECT (SELECT setting::int FROM pg_settings WHERE name = 'max_connections') - (SELECT setting::int FROM pg_settings WHERE name = 'superuser_reserved_connections') AS n",
    );
    await client.end();
    available = rows[0]!.n;
  });

  const host = (hostId: string, clusters: number, alive = true): FleetHost => ({
    hostId,
    alive,
    lastBeatAt: 0,
    databaseConnections: hostConnections(10, clusters),
  });
  const fleet = (hosts: FleetHost[]): FleetView => ({
    totalShards: 8,
    hosts,
    guilds: 0,
    shards: { connected: 0, disconnected: 0, unowned: 0 },
  });

  it("adds up the live hosts' pools (a pool per cluster and the manager's one) and reports it under max_connections", async () => {
    const { logger, lines } = recordingLogger();
    await reportConnectionBudget(TEST_POSTGRES_URL, fleet([host('a', 2), host('b', 2), host('dead', 50, false)]), logger);
    expect(lines).toEqual([expect.objectContaining({ level: 30, hosts: 2, fleetConnections: 42, available })]);
  });

  it("warns when the fleet's pools exceed what the server allows", async () => {
    const { logger, lines } = recordingLogger();
    const clusters = Math.ceil(available / 10);
    await reportConnectionBudget(TEST_POSTGRES_URL, fleet([host('a', clusters)]), logger);
    expect(lines).toEqual([expect.objectContaining({ level: 40, fleetConnections: clusters * 10 + 1, available })]);
    expect(lines[0]!.msg).toMatch(/over the \d+ the server allows: lower DATABASE_POOL_SIZE or raise max_connections/);
  });

  it('through PgBouncer, counts client connections to PgBouncer and never compares them with the server', async () => {
    const { logger, lines } = recordingLogger();
    await reportConnectionBudget('postgres://nobody@127.0.0.1:1/none', fleet([host('a', 50)]), logger, true);
    expect(lines).toEqual([expect.objectContaining({ level: 30, fleetConnections: 501 })]);
    expect(lines[0]!.msg).toMatch(/connections to PgBouncer/);
  });
});
