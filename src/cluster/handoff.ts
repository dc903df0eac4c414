import type { Cluster } from 'discord-hybrid-sharding';
import Redis from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../core/logger';
import type { ClusterManagerHandle } from './manager';

export interface ClusterHandoffOptions {
  redisUrl: string;
  /** Deployment prefix (`CACHE_PREFIX`): managers of one deployment hand shards to each other. */
  prefix: string;
  handle: ClusterManagerHandle;
  logger: Logger;
  /** This manager's start time; a manager only yields to a newer one. Default: now. */
  startedAt?: number;
}

export interface ClusterHandoff {
  close(): Promise<void>;
}

const announcement = z.object({ pid: z.number().int(), startedAt: z.number(), shards: z.array(z.number().int().min(0)) });
type Announcement = z.infer<typeof announcement>;

/**
 * Rolling replacement of one manager by the next (`pm2 reload`: pm2 starts the new manager, waits
 * for its `ready`, then stops the old one). Each manager announces, over Redis pub/sub, every one
 * of its clusters that becomes ready; an older manager then stops its own clusters serving those
 * shards. Each shard is handed over once its new session is up, cluster by cluster, as
 * hybrid-sharding's rolling re-cluster does inside one manager, so a deploy never has every
 * shard offline.
 */
export async function startClusterHandoff(options: ClusterHandoffOptions): Promise<ClusterHandoff> {
  const { handle, logger } = options;
  const channel = `${options.prefix}:bot:handoff`;
  const self = { pid: process.pid, startedAt: options.startedAt ?? Date.now() };
  const publisher = new Redis(options.redisUrl, { connectionName: 'moddy-manager-handoff' });
  const subscriber = new Redis(options.redisUrl, { connectionName: 'moddy-manager-handoff-sub' });
  // ioredis reconnects by itself; without a listener it would print every failed attempt.
  for (const connection of [publisher, subscriber]) connection.on('error', (error: Error) => logger.debug({ err: error }, 'handoff connection error'));
  const isNewer = (other: Announcement) => other.startedAt > self.startedAt || (other.startedAt === self.startedAt && other.pid > self.pid);

  subscriber.on('message', (_channel: string, raw: string) => {
    const parsed = announcement.safeParse(safeJson(raw));
    if (!parsed.success || parsed.data.pid === self.pid || !isNewer(parsed.data)) return;
    handle.release(parsed.data.shards).catch((error: unknown) => logger.error({ err: error, shards: parsed.data.shards }, 'handing clusters over failed'));
  });
  await subscriber.subscribe(channel);

  const announce = (cluster: Cluster) => {
    const message: Announcement = { ...self, shards: cluster.shardList };
    publisher.publish(channel, JSON.stringify(message)).catch((error: unknown) => logger.warn({ err: error, cluster: cluster.id }, 'could not announce a ready cluster'));
  };
  handle.manager.on('clusterReady', announce);
  return {
    async close() {
      handle.manager.off('clusterReady', announce);
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
