import { ClusterClient } from 'discord-hybrid-sharding';
import { Events } from 'discord.js';
import { createShard, type Shard } from '../bot/shard';
import { configuredLogging, getConfig } from '../config';
import { runEntryPoint } from '../core/entry-point';
import type { Logger } from '../core/logger';
import { setFatalDrain } from '../core/process-guards';
import { exposeClusterMetrics } from './cluster-metrics';
import { startClusterReports } from './cluster-report';
import { exitOnFatalClose } from './gateway-fatal';

/**
 * One cluster process, spawned by the manager (`manager.ts`): a discord.js client for the shards
 * hybrid-sharding assigned it. Reports ready to the manager once the client is ready, and stops
 * cleanly on SIGTERM/SIGINT or when the manager goes away.
 */
async function main(parent: Logger): Promise<void> {
  const info = ClusterClient.getInfo();
  const logger = parent.child({ cluster: info.CLUSTER, shards: info.SHARD_LIST });
  let shard: Shard | null = null;
  let stopping = false;
  const stop = (reason: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'cluster stopping');
    // A hung close must not keep a cluster alive: the manager's SIGKILL comes later, this is sooner.
    setTimeout(() => process.exit(exitCode), 8000).unref();
    void (shard?.close() ?? Promise.resolve())
      .catch((error: unknown) => logger.error({ err: error }, 'cluster did not close cleanly'))
      .finally(() => process.exit(exitCode));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // The IPC channel closes when the manager exits, however it exits.
  process.once('disconnect', () => stop('manager disconnected'));

  shard = await createShard({ config: getConfig(), shards: info.SHARD_LIST, shardCount: info.TOTAL_SHARDS, logger });
  const opened = shard;
  setFatalDrain(() => opened.close());
  const cluster = new ClusterClient(shard.client);
  exposeClusterMetrics(shard.client, shard.metrics.registry);
  startClusterReports(shard.client, cluster, info.SHARD_LIST, getConfig().CLUSTER_REPORT_INTERVAL_MS);
  exitOnFatalClose(shard.client, cluster, stop);
  shard.client.once(Events.ClientReady, () => {
    cluster.triggerReady();
    logger.info('cluster ready');
  });
  if (stopping) return;
  // A fatal close during login (4013, 4014 at IDENTIFY) also rejects it, just after the close's stop
  // began: that stop exits with the close's code, which a failed start's exit 1 must not pre-empt.
  await shard.login().catch((error: unknown) => {
    if (!stopping) throw error;
  });
}

runEntryPoint('cluster', main, configuredLogging);
