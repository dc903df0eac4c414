import type { ClusterClient } from 'discord-hybrid-sharding';
import { Status, type Client } from 'discord.js';

/**
 * What each cluster tells the manager every `CLUSTER_REPORT_INTERVAL_MS` over IPC: which of its
 * shards are connected to the gateway (for the manager's `/ready`), its guild count (for the fleet
 * view) and its resident memory (for its ceiling, `CLUSTER_MAX_MEMORY_MB`).
 */
export interface ClusterReport {
  /** Shard ID → connected (status Ready) now. */
  shards: Record<string, boolean>;
  rssBytes: number;
  /** Guilds in the client's cache: those of this cluster's shards. */
  guilds: number;
}

const REPORT_KEY = 'moddyClusterReport';

/** Sends this cluster's reports, now and every `intervalMs` (an unref'd timer: it ends with the process). */
export function startClusterReports(client: Client, cluster: ClusterClient<Client>, shardIds: readonly number[], intervalMs: number): void {
  const send = () => {
    const shards = Object.fromEntries(shardIds.map((id) => [String(id), client.ws.shards.get(id)?.status === Status.Ready]));
    const report: ClusterReport = { shards, rssBytes: process.memoryUsage.rss(), guilds: client.guilds.cache.size };
    void Promise.resolve(cluster.send({ [REPORT_KEY]: report })).catch(() => undefined);
  };
  send();
  setInterval(send, intervalMs).unref();
}

/** The report carried by an IPC message from a cluster, if it is one. */
export function readClusterReport(message: unknown): ClusterReport | null {
  const raw = ipcPayload(message);
  if (typeof raw !== 'object' || raw === null || !(REPORT_KEY in raw)) return null;
  const report = (raw as Record<string, unknown>)[REPORT_KEY] as Partial<ClusterReport> | undefined;
  if (typeof report?.rssBytes !== 'number' || typeof report.shards !== 'object' || report.shards === null) return null;
  return { shards: report.shards, rssBytes: report.rssBytes, guilds: typeof report.guilds === 'number' ? report.guilds : 0 };
}

/** What a cluster sent over IPC: hybrid-sharding hands it over as-is or wrapped in `{ raw }`. */
export function ipcPayload(message: unknown): unknown {
  return typeof message === 'object' && message !== null && 'raw' in message ? (message as { raw: unknown }).raw : message;
}
