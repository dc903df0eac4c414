import { getConfig } from '../config';
import { ConfigError } from '../core/errors';
import { createLogger } from '../core/logger';
import { startHealthServer, type HealthServer } from '../observability/health-server';
import { createRedisConnection, redisTargetFromConfig } from '../redis';
import { createDataSource, poolSettings } from '../db/data-source';
import { postgresCheck, redisCheck } from '../observability/health-checks';
import { MetricsRegistry } from '../observability/metrics';
import { readClusterMetrics } from './cluster-metrics';
import { closeOnSignal } from '../core/shutdown';
import { startClusterManager } from './manager';

const DEFAULT_HEALTH_PORT = 9100;

/**
 * `node dist/src/cluster/manager-cli.js` (`npm run bot`): the bot's entry point, every setting from
 * the environment. Serves /health (200 once every cluster is ready) and /metrics on `HEALTH_PORT`
 * (default 9100; 0: off), and stops the clusters cleanly on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const config = getConfig();
  const logger = createLogger('cluster-manager');
  if (!config.DISCORD_TOKEN) throw new ConfigError(['DISCORD_TOKEN: required to run the bot']);
  const metrics = new MetricsRegistry('bot');
  const restarts = metrics.clusterRestarts();
  const handle = await startClusterManager({
    token: config.DISCORD_TOKEN,
    apiUrl: config.DISCORD_API_URL,
    databaseUrl: config.DATABASE_URL,
    totalShards: config.TOTAL_SHARDS,
    shardsPerCluster: config.SHARDS_PER_CLUSTER,
    spawnDelayMs: config.CLUSTER_SPAWN_DELAY_MS,
    heartbeat: { intervalMs: config.CLUSTER_HEARTBEAT_INTERVAL_MS, maxMissed: config.CLUSTER_HEARTBEAT_MAX_MISSED },
    onRestart: (clusterId) => restarts.inc({ cluster: String(clusterId) }),
    logger,
  });
  const port = config.HEALTH_PORT ?? DEFAULT_HEALTH_PORT;
  let health: HealthServer | undefined;
  const closers: (() => Promise<void>)[] = [];
  if (port !== 0) {
    // The manager's own connections, only for /health: what every cluster depends on.
    const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, timeouts: poolSettings(config).timeouts, applicationName: 'moddy-manager-health' });
    await dataSource.initialize();
    const redis = createRedisConnection(redisTargetFromConfig(config), { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: 'moddy-manager-health' });
    closers.push(() => dataSource.destroy(), async () => redis.disconnect());
    metrics.aggregate(() => readClusterMetrics(handle.manager));
    health = await startHealthServer({
      host: config.HEALTH_HOST,
      port,
      metrics,
      checks: {
        postgres: postgresCheck(dataSource),
        redis: redisCheck(redis),
        clusters: async () => {
          const ready = handle.readyClusters();
          return { ok: ready.length === handle.totalClusters, detail: { ready, total: handle.totalClusters, shards: handle.totalShards } };
        },
      },
    });
  }
  closeOnSignal(async () => {
    await handle.close();
    await health?.close();
    for (const close of closers) await close();
  }, logger);
  logger.info({ health: health?.url }, 'cluster manager started');
  await handle.whenReady(10 * 60_000).then(
    () => logger.info({ clusters: handle.totalClusters, shards: handle.totalShards }, 'every cluster is ready'),
    (error: unknown) => logger.warn({ err: error }, 'not every cluster is ready yet'),
  );
}

main().catch((error: unknown) => {
  createLogger('cluster-manager').fatal({ err: error }, 'cluster manager failed to start');
  process.exit(1);
});
