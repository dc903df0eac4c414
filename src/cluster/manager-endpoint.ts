import { createRedisConnection, type RedisTargetLike } from '../redis';
import { createDataSource } from '../db/data-source';
import { postgresCheck, redisCheck, type HealthCheck } from '../observability/health-checks';
import { startHealthServer, type HealthServer } from '../observability/health-server';
import type { MetricsRegistry } from '../observability/metrics';
import { readClusterMetrics } from './cluster-metrics';
import type { FleetMembership } from './fleet';
import type { ClusterManagerHandle, HaltedCluster } from './manager';
import type { ShardConnectivity } from './shard-connectivity';

export interface ManagerEndpointOptions {
  handle: ClusterManagerHandle;
  /** The manager's registry (its restarts counter already on it); the clusters' metrics are added, labelled `cluster`. */
  metrics: MetricsRegistry;
  /** `HEALTH_HOST`, `HEALTH_PORT` (0 picks a free port). */
  host?: string;
  port: number;
  databaseUrl: string;
  /** `DATABASE_PGBOUNCER`: `databaseUrl` is PgBouncer in transaction mode (see `createDataSource`). Default false. */
  pgbouncer?: boolean;
  /** The deployment's Redis (`redisTargetFromConfig`), in whichever mode. */
  redis: RedisTargetLike;
  /** `HEALTH_GATEWAY_GRACE_SECONDS`: how long a shard may be off the gateway before `/ready` fails. */
  gatewayGraceSeconds: number;
  /** This host's fleet membership: `/ready` and `/metrics` then report every host of the bot. */
  fleet?: FleetMembership;
}

/**
 * The manager's `/health`, `/ready` and `/metrics`. Ready means: PostgreSQL and Redis answer (every
 * cluster depends on them) and no shard of this host has been off the gateway longer than the
 * grace, so a monitor sees a bot that is offline on Discord. Closing it closes its connections.
 */
export async function startManagerEndpoint(options: ManagerEndpointOptions): Promise<HealthServer> {
  // The manager's own connections, only for /ready.
  const dataSource = createDataSource({
    url: options.databaseUrl,
    poolSize: 1,
    applicationName: 'moddy-manager-health',
    pgbouncer: options.pgbouncer,
  });
  await dataSource.initialize();
  const redis = createRedisConnection(options.redis, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectionName: 'moddy-manager-health',
  });
  const { handle, metrics } = options;
  metrics.aggregate(() => readClusterMetrics(handle.manager));
  metrics.shardsDisconnected(() => handle.connectivity.disconnected().length);
  metrics.clustersHalted(() => handle.halted());
  const { fleet } = options;
  if (fleet) metrics.fleet(() => fleet.view());
  const server = await startHealthServer({
    host: options.host,
    port: options.port,
    metrics,
    checks: {
      postgres: postgresCheck(dataSource),
      redis: redisCheck(redis),
      gateway: gatewayCheck(handle.connectivity, options.gatewayGraceSeconds, () => handle.halted()),
      ...(fleet ? { fleet: fleetCheck(fleet) } : {}),
    },
    // Every host of the bot on /health too: totals (guilds, shards) and a line per host.
    info: fleet ? { fleet: fleetCheck(fleet) } : {},
  });
  return {
    url: server.url,
    async close() {
      await server.close();
      redis.disconnect();
      await dataSource.destroy();
    },
  };
}

/**
 * Fails, naming the shards, once one has been disconnected for longer than `graceSeconds`, and at
 * once, with the cause and its fix, while a cluster is halted (a gateway close a restart cannot fix).
 */
export function gatewayCheck(connectivity: ShardConnectivity, graceSeconds: number, halted: () => HaltedCluster[] = () => []): HealthCheck {
  return async () => {
    const stopped = halted();
    if (stopped.length > 0) {
      const message = stopped
        .map((entry) => `cluster ${entry.cluster} (shards ${entry.shards.join(', ')}) halted: ${entry.reason}`)
        .join('; ');
      return { ok: false, detail: { message, halted: stopped, disconnected: connectivity.disconnected() } };
    }
    const disconnected = connectivity.disconnected();
    const late = disconnected.filter((shard) => shard.seconds >= graceSeconds).map((shard) => shard.shard);
    const detail =
      late.length === 0
        ? { disconnected }
        : { message: `shards ${late.join(', ')} off the gateway for ${graceSeconds} s or more`, shards: late, disconnected };
    return { ok: late.length === 0, detail };
  };
}

/**
 * The fleet view, for operators reading `/ready` and `/health`: always ok, since another host being down must not
 * make this one unready (a load balancer or pm2 would then restart a healthy host).
 */
export function fleetCheck(fleet: FleetMembership): HealthCheck {
  return async () => {
    try {
      return { ok: true, detail: { ...(await fleet.view()) } };
    } catch (error) {
      return { ok: true, detail: { message: `fleet view unavailable: ${String(error)}` } };
    }
  };
}
