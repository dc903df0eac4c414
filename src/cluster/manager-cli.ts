import { getConfig } from '../config';
import { ConfigError } from '../core/errors';
import { createLogger } from '../core/logger';
import { startClusterManager } from './manager';

/** `node dist/src/cluster/main.js`: the bot's production entry point (every setting from the environment). */
async function main(): Promise<void> {
  const config = getConfig();
  const logger = createLogger('cluster-manager');
  if (!config.DISCORD_TOKEN) throw new ConfigError(['DISCORD_TOKEN: required to run the bot']);
  const handle = await startClusterManager({
    token: config.DISCORD_TOKEN,
    apiUrl: config.DISCORD_API_URL,
    databaseUrl: config.DATABASE_URL,
    totalShards: config.TOTAL_SHARDS,
    shardsPerCluster: config.SHARDS_PER_CLUSTER,
    spawnDelayMs: config.CLUSTER_SPAWN_DELAY_MS,
    heartbeat: { intervalMs: config.CLUSTER_HEARTBEAT_INTERVAL_MS, maxMissed: config.CLUSTER_HEARTBEAT_MAX_MISSED },
    logger,
  });
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping the clusters');
    handle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'clusters did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await handle.whenReady(10 * 60_000).then(
    () => logger.info({ clusters: handle.totalClusters, shards: handle.totalShards }, 'every cluster is ready'),
    (error: unknown) => logger.warn({ err: error }, 'not every cluster is ready yet'),
  );
}

main().catch((error: unknown) => {
  createLogger('cluster-manager').fatal({ err: error }, 'cluster manager failed to start');
  process.exit(1);
});
