import type { ClusterManager } from 'discord-hybrid-sharding';
import type { Client } from 'discord.js';
import type { Registry } from 'prom-client';
import type { ClusterSnapshot, MetricsSnapshot } from '../observability/metrics';

/** A cluster's client carrying its shard's metrics registry, so the manager can read it over IPC. */
export type ClientWithMetrics = Client & { moddyMetrics?: Registry };

export function exposeClusterMetrics(client: Client, registry: Registry): void {
  (client as ClientWithMetrics).moddyMetrics = registry;
}

/** Serialised and run inside a cluster (`this` is its client): it may use only its argument. */
function readOwnMetrics(client: ClientWithMetrics): Promise<MetricsSnapshot> | null {
  return client.moddyMetrics ? client.moddyMetrics.getMetricsAsJSON() : null;
}

/**
 * Every live cluster's metrics, with its ID for the `cluster` label; a cluster that does not answer
 * in `timeoutMs` (or is respawning) is left out of this scrape, the others still count.
 */
export async function readClusterMetrics(manager: ClusterManager, timeoutMs = 2000): Promise<ClusterSnapshot[]> {
  const clusters = [...manager.clusters.values()];
  const script = `(${String(readOwnMetrics)})(this)`;
  const results = await Promise.allSettled(clusters.map((cluster) => cluster.eval(script, undefined, timeoutMs)));
  return results.flatMap((result, index) => {
    const metrics = result.status === 'fulfilled' ? (result.value as MetricsSnapshot | null) : null;
    const cluster = clusters[index];
    return Array.isArray(metrics) && cluster ? [{ cluster: String(cluster.id), metrics }] : [];
  });
}
