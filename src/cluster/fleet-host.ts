import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { createRedisConnection, type RedisTargetLike } from '../redis';
import type { Logger } from '../core/logger';
import { hostConnections } from './connection-budget';
import { FleetMembership, type HostStatus } from './fleet';
import { describeHostShare, type HostShare } from './host-shards';
import type { ClusterManagerHandle } from './manager';

export interface FleetHostOptions {
  /** The deployment's Redis (`redisTargetFromConfig`), in whichever mode. */
  redis: RedisTargetLike;
  prefix: string;
  share: HostShare;
  /** `HOST_ID`; default: `<hostname>#<share>` (`vps1#0-15`, `vps2#1of2`), stable across restarts. */
  hostId?: string;
  leaseSeconds: number;
  /** `DATABASE_POOL_SIZE` of each cluster, for the connection budget. */
  poolSize: number;
  logger: Logger;
}

export interface FleetHost {
  membership: FleetMembership;
  /** Registers this host's status at each beat; shards taken by another host stop their clusters. */
  report(handle: ClusterManagerHandle, startedAt: number): Promise<void>;
  /** Gives back the claims and closes the connection. */
  close(): Promise<void>;
}

/** The manager's membership of the fleet, on a Redis connection of its own. */
export function joinFleet(options: FleetHostOptions): FleetHost {
  const { logger } = options;
  const redis = createRedisConnection(options.redis, { maxRetriesPerRequest: 1, connectionName: 'moddy-manager-fleet' });
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'fleet connection error'));
  const hostId = options.hostId ?? `${hostname()}#${describeHostShare(options.share)}`;
  const leaseMs = options.leaseSeconds * 1000;
  const membership = new FleetMembership({ redis, prefix: options.prefix, hostId, leaseMs, beatMs: Math.floor(leaseMs / 3), logger });
  const version = packageVersion();
  return {
    membership,
    async report(handle, startedAt) {
      const status = (): HostStatus => ({
        hostId,
        shards: [...handle.shards],
        connectedShards: handle.connectivity.connected(),
        readyClusters: handle.readyClusters().length,
        totalClusters: handle.totalClusters,
        guilds: handle.guilds(),
        databaseConnections: hostConnections(options.poolSize, handle.totalClusters),
        version,
        pid: process.pid,
        startedAt,
      });
      membership.report(status, (shards, holders) => {
        logger.error(
          { shards, holders },
          'shards of this host were claimed by another host after its lease expired: stopping their clusters',
        );
        handle
          .release(shards)
          .catch((error: unknown) => logger.error({ err: error, shards }, 'stopping the clusters of lost shards failed'));
      });
      await membership.beat();
    },
    async close() {
      await membership
        .close()
        .catch((error: unknown) => logger.warn({ err: error }, 'giving the shard claims back failed: they expire with their lease'));
      redis.disconnect();
    },
  };
}

/** The version in package.json (from src/cluster or dist/src/cluster). */
function packageVersion(): string {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(path.join(__dirname, candidate), 'utf8')) as { name?: string; version?: string };
      if (parsed.version) return parsed.version;
    } catch {
      // Not at this depth: try the next.
    }
  }
  return 'unknown';
}
