export interface RespawnBackoffOptions {
  /** Wait before a cluster's first respawn after a crash. Default 1000 ms. */
  baseMs?: number;
  /** Longest wait, reached by doubling at each crash in a row; a cluster that stayed ready this long starts over at `baseMs`. Default 60 000 ms. */
  maxMs?: number;
}

/**
 * How long to wait before respawning a crashed cluster: each crash in a row doubles the wait (a
 * cluster that cannot start, e.g. its database down, retries slowly instead of in a tight loop of
 * identifies), and the retries never stop (a cluster given up on would leave its shards offline
 * until someone restarts the manager).
 */
export class RespawnBackoff {
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly crashes = new Map<number, number>();
  private readonly readyAt = new Map<number, number>();

  constructor(options: RespawnBackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 1000;
    this.maxMs = Math.max(options.maxMs ?? 60_000, this.baseMs);
  }

  ready(clusterId: number, now = Date.now()): void {
    this.readyAt.set(clusterId, now);
  }

  /** The cluster died on its own: the wait before it is spawned again. */
  crashed(clusterId: number, now = Date.now()): number {
    const readySince = this.readyAt.get(clusterId);
    this.readyAt.delete(clusterId);
    const stable = readySince !== undefined && now - readySince >= this.maxMs;
    const inARow = stable ? 0 : (this.crashes.get(clusterId) ?? 0);
    this.crashes.set(clusterId, inARow + 1);
    return Math.min(this.baseMs * 2 ** inARow, this.maxMs);
  }
}
