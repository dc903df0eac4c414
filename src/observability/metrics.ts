import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { CacheStats, TierStats } from '../db/api';

/**
 * The Prometheus metrics of one process. Each process registers only what it serves; the
 * collectors read live state (cache counters, queue depths) when `/metrics` is scraped.
 */
export interface InteractionMetrics {
  handled: Counter<'command' | 'outcome'>;
  duration: Histogram<'command'>;
}

/** Metrics of other processes, as `Registry.getMetricsAsJSON()` gives them. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

export interface MetricsRegistryOptions {
  /** Node's process metrics (memory, CPU, event loop). Default true; off where a parent reports them. */
  processMetrics?: boolean;
}

export class MetricsRegistry {
  readonly registry = new Registry();
  private readonly children: (() => Promise<MetricsSnapshot[]>)[] = [];

  constructor(role: string, options: MetricsRegistryOptions = {}) {
    this.registry.setDefaultLabels({ role });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'moddy_' });
  }

  /**
   * Adds the metrics of child processes (the clusters of the manager), summed across them at
   * scrape time, so one endpoint serves the whole bot.
   */
  aggregate(read: () => Promise<MetricsSnapshot[]>): void {
    this.children.push(read);
  }

  /** Interactions handled, by command and outcome, and how long commands took. */
  interactions(): InteractionMetrics {
    return {
      handled: new Counter({
        name: 'moddy_interactions_total',
        help: 'Interactions handled, by command and outcome (ok, refused, error).',
        labelNames: ['command', 'outcome'] as const,
        registers: [this.registry],
      }),
      duration: new Histogram({
        name: 'moddy_command_duration_seconds',
        help: 'Time from receiving an interaction to finishing its command.',
        labelNames: ['command'] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [this.registry],
      }),
    };
  }

  /** Cache counters per tier, read from `getCacheStats()` at scrape time. */
  cache(read: () => CacheStats): void {
    const fields: (keyof TierStats)[] = ['hits', 'misses', 'loads', 'invalidations', 'errors'];
    for (const field of fields) {
      new Gauge({
        name: `moddy_cache_${field}`,
        help: `Cache ${field} per tier since the process started.`,
        labelNames: ['tier'] as const,
        registers: [this.registry],
        collect() {
          const stats = read();
          this.set({ tier: 'local' }, stats.local[field]);
          this.set({ tier: 'redis' }, stats.redis[field]);
        },
      });
    }
    new Gauge({
      name: 'moddy_database_loads',
      help: 'Reads that reached PostgreSQL since the process started.',
      registers: [this.registry],
      collect() {
        this.set(read().database.loads);
      },
    });
  }

  /** Jobs per queue and state, read from BullMQ at scrape time. */
  queues(read: () => Promise<Record<string, Record<string, number>>>): void {
    new Gauge({
      name: 'moddy_queue_jobs',
      help: 'Jobs per queue and state (waiting, active, delayed, failed, completed).',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [queue, counts] of Object.entries(await read())) {
          for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
        }
      },
    });
  }

  errorsCaptured(): Counter {
    return new Counter({ name: 'moddy_errors_captured_total', help: 'Errors captured by the error tracker.', registers: [this.registry] });
  }

  clusterRestarts(): Counter<'cluster'> {
    return new Counter({
      name: 'moddy_cluster_restarts_total',
      help: 'Cluster processes respawned after a crash or a missed heartbeat.',
      labelNames: ['cluster'] as const,
      registers: [this.registry],
    });
  }

  async text(): Promise<string> {
    const parts = [await this.registry.metrics()];
    for (const read of this.children) {
      const snapshots = await read();
      if (snapshots.length > 0) parts.push(await AggregatorRegistry.aggregate(snapshots).metrics());
    }
    return parts.join('\n');
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
