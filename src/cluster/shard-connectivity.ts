/** A shard off the gateway and for how long. */
export interface DisconnectedShard {
  shard: number;
  seconds: number;
}

/**
 * Which shards of this host are connected to the gateway, from the clusters' reports. A shard is
 * disconnected from the manager's start until a report says otherwise, and from the moment a
 * report says so or its cluster's process dies; a cluster that stops reporting is the heartbeat's
 * business (it is restarted, which counts as dying).
 */
export class ShardConnectivity {
  /** Shard → since when it is disconnected (ms), or null while connected. */
  private readonly disconnectedSince = new Map<number, number | null>();

  /** `shards`: the shard IDs this host runs (its `HOST_SHARDS` share; every shard on a lone host). */
  constructor(
    shards: readonly number[],
    private readonly now: () => number = Date.now,
  ) {
    const started = now();
    for (const shard of shards) this.disconnectedSince.set(shard, started);
  }

  /** Shards of this host connected now, ascending. */
  connected(): number[] {
    return [...this.disconnectedSince]
      .filter(([, since]) => since === null)
      .map(([shard]) => shard)
      .sort((a, b) => a - b);
  }

  /** A cluster's report: each of its shards connected or not. */
  report(shards: Readonly<Record<string, boolean>>): void {
    for (const [key, connected] of Object.entries(shards)) this.mark(Number(key), connected);
  }

  /** A cluster's process exited: its shards are off the gateway. */
  clusterDown(shards: readonly number[]): void {
    for (const shard of shards) this.mark(shard, false);
  }

  /** Every disconnected shard and for how long, longest first. */
  disconnected(): DisconnectedShard[] {
    const now = this.now();
    const shards: DisconnectedShard[] = [];
    for (const [shard, since] of this.disconnectedSince) {
      if (since !== null) shards.push({ shard, seconds: Math.floor((now - since) / 1000) });
    }
    return shards.sort((a, b) => b.seconds - a.seconds || a.shard - b.shard);
  }

  private mark(shard: number, connected: boolean): void {
    if (!this.disconnectedSince.has(shard)) return;
    if (connected) this.disconnectedSince.set(shard, null);
    // Keep the first moment of an outage: later reports of the same outage do not reset it.
    else if (this.disconnectedSince.get(shard) === null) this.disconnectedSince.set(shard, this.now());
  }
}
