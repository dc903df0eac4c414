import type { ClusterManager } from 'discord-hybrid-sharding';
import type { Client } from 'discord.js';
import type { Registry } from 'prom-client';
import type { MetricsSnapshot } from '../observability/metrics';

/** A cluster's client carrying its shard's metrics registry, so the manager can read it over IPC. */
export type ClientWithMetrics = Client & { moddyMetrics?: Registry };

export function exposeClusterMetrics(client: Client, registry: Registry): void {
  (client as ClientWithMetrics).moddyMetrics = registry;
}

/** Every ready cluster's metrics; a cluster that does not answer in `timeoutMs` is left out of this scrape. */
export async function readClusterMetrics(manager: ClusterManager, timeoutMs = 2000): Promise<MetricsSnapshot[]> {
  // Serialised and run inside each cluster by hybrid-sharding: it may use only its argument.
  const results = await manager
    .broadcastEval((client: ClientWithMetrics) => (client.moddyMetrics ? client.moddyMetrics.getMetricsAsJSON() : null), { timeout: timeoutMs })
    .catch(() => []);
  return (results as (MetricsSnapshot | null)[]).filter((snapshot): snapshot is MetricsSnapshot => Array.isArray(snapshot));
}
