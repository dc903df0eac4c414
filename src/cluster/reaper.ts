import type { ChildProcess } from 'node:child_process';
import { hasExited } from './child-exit';

/** What the reaper reads of a hybrid-sharding `Cluster`: the process it currently runs. */
export interface ReapableCluster {
  readonly thread?: { readonly process?: unknown } | null;
}

/**
 * Makes sure a cluster process the manager gave up on really ends. hybrid-sharding restarts a
 * frozen cluster (missed heartbeats) by sending SIGTERM and spawning a new one, but a frozen event
 * loop never runs its SIGTERM handler: such a process would live on beside its replacement. The
 * reaper SIGKILLs any process that is no longer its cluster's and has not exited after `graceMs`.
 */
export class ClusterReaper {
  private readonly released = new Map<ChildProcess, number>();
  private readonly owners = new Map<ChildProcess, ReapableCluster>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly graceMs: number,
    intervalMs = 1000,
  ) {
    this.timer = setInterval(() => this.sweep(), intervalMs);
    this.timer.unref();
  }

  /** Called on each cluster `spawn` event. */
  track(cluster: ReapableCluster, child: ChildProcess): void {
    this.owners.set(child, cluster);
  }

  sweep(now = Date.now()): void {
    for (const [child, cluster] of this.owners) {
      if (hasExited(child)) {
        this.owners.delete(child);
        this.released.delete(child);
      } else if (cluster.thread?.process !== child) {
        const since = this.released.get(child) ?? now;
        this.released.set(child, since);
        if (now - since >= this.graceMs) child.kill('SIGKILL');
      }
    }
  }

  /** Stops sweeping; any process still alive that its cluster gave up on is SIGKILLed now. */
  stop(): void {
    clearInterval(this.timer);
    for (const [child, cluster] of this.owners) {
      if (!hasExited(child) && cluster.thread?.process !== child) child.kill('SIGKILL');
    }
    this.owners.clear();
    this.released.clear();
  }
}
