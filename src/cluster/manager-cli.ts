import { getConfig } from '../config';
import { ConfigError } from '../core/errors';
import { runEntryPoint, signalReady } from '../core/entry-point';
import type { Logger } from '../core/logger';
import { startHealthServer, type HealthServer } from '../observability/health-server';
import Redis from 'ioredis';
import { createDataSource } from '../db/data-source';
import { postgresCheck, redisCheck } from '../observability/health-checks';
import { MetricsRegistry } from '../observability/metrics';
import { readClusterMetrics } from './cluster-metrics';
import { closeOnSignal } from '../core/shutdown';
import { startClusterHandoff } from './handoff';
import { startClusterManager } from './manager';

const DEFAULT_HEALTH_PORT = 9100;
/** Longest wait for an older manager to stop the clusters this one replaced: a cluster's own stop timeout, and some. */
const HANDOVER_TIMEOUT_MS = 15_000;

/**
 * `node dist/src/cluster/manager-cli.js` (`npm run bot`): the bot's entry point, every setting from
 * the environment. Serves /health (200 once every cluster is ready) and /metrics on `HEALTH_PORT`
 * (default 9100; 0: off), and stops the clusters cleanly on SIGINT/SIGTERM. Tells pm2 it is
 * ready (`wait_ready`) once every cluster is.
 */
async function main(logger: Logger): Promise<void> {
  const config = getConfig();
  const startedAt = Date.now();
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
  // A newer manager of this deployment (pm2 reload) takes this one's shards over cluster by cluster.
  const handoff = await startClusterHandoff({ redisUrl: config.REDIS_URL, prefix: config.CACHE_PREFIX, handle, logger, startedAt });
  const port = config.HEALTH_PORT ?? DEFAULT_HEALTH_PORT;
  let health: HealthServer | undefined;
  const closers: (() => Promise<void>)[] = [() => handoff.close()];
  if (port !== 0) {
    // The manager's own connections, only for /health: what every cluster depends on.
    const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'moddy-manager-health' });
    await dataSource.initialize();
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: 'moddy-manager-health' });
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
    () => {
      logger.info({ clusters: handle.totalClusters, shards: handle.totalShards }, 'every cluster is ready');
      // An older manager (pm2 reload) stops its last clusters before pm2 stops it.
      return handoff.handedOver(HANDOVER_TIMEOUT_MS).then(signalReady);
    },
    (error: unknown) => logger.warn({ err: error }, 'not every cluster is ready yet'),
  );
}

runEntryPoint('cluster-manager', main);
