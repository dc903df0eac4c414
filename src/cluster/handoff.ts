import type { Cluster } from 'discord-hybrid-sharding';
import { createRedisConnection, type RedisTargetLike } from '../redis';
import { z } from 'zod';
import type { Logger } from '../core/logger';
import type { ClusterManagerHandle } from './manager';

export interface ClusterHandoffOptions {
  /** The deployment's Redis (`redisTargetFromConfig`), in whichever mode. */
  redis: RedisTargetLike;
  /** Deployment prefix (`CACHE_PREFIX`): managers of one deployment hand shards to each other. */
  prefix: string;
  /** This host's fleet ID: only managers of the same host hand shards over (other hosts run other shards). */
  hostId: string;
  handle: ClusterManagerHandle;
  logger: Logger;
  /** This manager's start time; a manager only yields to a newer one. Default: now. */
  startedAt?: number;
}

export interface ClusterHandoff {
  /**
   * Resolves once no older manager still runs a cluster on this manager's shards (at once when
   * none was running at start), or after `timeoutMs`: pm2 may then stop the older manager.
   */
  handedOver(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** `ready`: a manager's cluster serves these shards now; `released`: a manager stopped its clusters on them. */
const message = z.object({
  type: z.enum(['ready', 'released']),
  pid: z.number().int(),
  startedAt: z.number(),
  shards: z.array(z.number().int().min(0)),
});
type HandoffMessage = z.infer<typeof message>;

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
  const channel = `${options.prefix}:bot:handoff:${options.hostId}`;
  const self = { pid: process.pid, startedAt: options.startedAt ?? Date.now() };
  const publisher = createRedisConnection(options.redis, { connectionName: 'moddy-manager-handoff' });
  const subscriber = createRedisConnection(options.redis, { connectionName: 'moddy-manager-handoff-sub' });
  // ioredis reconnects by itself; without a listener it would print every failed attempt.
  for (const connection of [publisher, subscriber])
    connection.on('error', (error: Error) => logger.debug({ err: error }, 'handoff connection error'));
  const isNewer = (other: HandoffMessage) =>
    other.startedAt > self.startedAt || (other.startedAt === self.startedAt && other.pid > self.pid);
  const publish = (type: HandoffMessage['type'], shards: number[]) =>
    publisher
      .publish(channel, JSON.stringify({ type, ...self, shards } satisfies HandoffMessage))
      .catch((error: unknown) => logger.warn({ err: error, type, shards }, 'could not publish a handoff message'));

  /** Shards an older manager said it released to this one. */
  const released = new Set<number>();
  let onReleased = (): void => undefined;
  subscriber.on('message', (_channel: string, raw: string) => {
    const parsed = message.safeParse(safeJson(raw));
    if (!parsed.success || parsed.data.pid === self.pid) return;
    const { type, shards } = parsed.data;
    if (type === 'released' && !isNewer(parsed.data)) {
      for (const shard of shards) released.add(shard);
      onReleased();
    } else if (type === 'ready' && isNewer(parsed.data)) {
      handle.release(shards).then(
        (clusters) => (clusters.length > 0 ? publish('released', shards) : undefined),
        (error: unknown) => logger.error({ err: error, shards }, 'handing clusters over failed'),
      );
    }
  });
  await subscriber.subscribe(channel);
  // Subscribers besides this one: an older manager (pm2 reload) whose clusters are to be taken over.
  const [, subscribers = 0] = (await publisher.pubsub('NUMSUB', channel)) as [string, number];
  const olderRunning = Number(subscribers) > 1;

  const announce = (cluster: Cluster) => void publish('ready', cluster.shardList);
  handle.manager.on('clusterReady', announce);
  return {
    handedOver(timeoutMs) {
      const mine: number[] = handle.manager.shardList;
      const done = () => !olderRunning || mine.every((shard) => released.has(shard));
      if (done()) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(finish, timeoutMs);
        function finish(): void {
          clearTimeout(timer);
          onReleased = () => undefined;
          resolve();
        }
        onReleased = () => {
          if (done()) finish();
        };
      });
    },
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
