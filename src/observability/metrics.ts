import {
  AggregatorRegistry,
  Counter,
  Histogram,
  Gauge,
  Registry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';
import type { FleetView } from '../cluster/fleet';
import type { CacheStats, TierStats } from '../cache/stats';

/**
 * The Prometheus metrics of one process. Each process registers only what it serves; the
 * collectors read live state (cache counters, queue depths) when `/metrics` is scraped.
 * Metric names are a contract with the dashboards (docs/grafana-dashboard.json): rename none.
 */
export interface InteractionMetrics {
  handled: Counter<'command' | 'outcome'>;
  duration: Histogram<'command'>;
}

/** Jobs finished by a worker, per queue. */
export interface JobMetrics {
  completed: Counter<'queue'>;
  /** Failed attempts; `final="true"` when the job will not be retried. */
  failed: Counter<'queue' | 'final'>;
  duration: Histogram<'queue' | 'outcome'>;
}

/** Metrics of other processes, as `Registry.getMetricsAsJSON()` gives them. */
export type MetricsSnapshot = MetricObjectWithValues<MetricValue<string>>[];

/** A child process's metrics and the `cluster` label its series get. */
export interface ClusterSnapshot {
  cluster: string;
  metrics: MetricsSnapshot;
}

export interface MetricsRegistryOptions {
  /** Node's process metrics (memory, CPU, event loop), prefixed `moddy_`. Default true. */
  processMetrics?: boolean;
}

const CACHE_FIELDS: readonly (keyof TierStats)[] = ['hits', 'misses', 'loads', 'invalidations', 'errors'];
const CACHE_TIERS = ['local', 'redis'] as const;

export class MetricsRegistry {
  readonly registry = new Registry();
  private readonly children: (() => Promise<ClusterSnapshot[]>)[] = [];

  constructor(role: string, options: MetricsRegistryOptions = {}) {
    this.registry.setDefaultLabels({ role });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'moddy_' });
  }

  /**
   * Adds the metrics of child processes (the clusters of the manager) at scrape time, each series
   * labelled with its `cluster`, so one endpoint serves the whole bot and no cluster hides another.
   */
  aggregate(read: () => Promise<ClusterSnapshot[]>): void {
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

  /**
   * Cache counters per tier (`moddy_cache_<field>_total{tier}`) and reads that reached PostgreSQL
   * (`moddy_database_loads_total`), copied from `getCacheStats()` at scrape time. The source only
   * grows, so these are true counters: `rate()` works and a restart shows as a reset.
   */
  cache(read: () => CacheStats): void {
    for (const field of CACHE_FIELDS) {
      new Counter({
        name: `moddy_cache_${field}_total`,
        help: `Cache ${field} per tier since the process started.`,
        labelNames: ['tier'] as const,
        registers: [this.registry],
        collect() {
          const stats = read();
          this.reset();
          for (const tier of CACHE_TIERS) this.inc({ tier }, stats[tier][field]);
        },
      });
    }
    new Counter({
      name: 'moddy_database_loads_total',
      help: 'Reads that reached PostgreSQL since the process started.',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read().database.loads);
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

  /** Jobs completed and failed by this worker, and how long they ran. */
  jobs(): JobMetrics {
    return {
      completed: new Counter({
        name: 'moddy_jobs_completed_total',
        help: 'Jobs completed by this worker, per queue.',
        labelNames: ['queue'] as const,
        registers: [this.registry],
      }),
      failed: new Counter({
        name: 'moddy_jobs_failed_total',
        help: 'Failed job attempts, per queue; final="true" when no retry is left (or the failure is permanent).',
        labelNames: ['queue', 'final'] as const,
        registers: [this.registry],
      }),
      duration: new Histogram({
        name: 'moddy_job_duration_seconds',
        help: 'Time a job attempt ran in this worker, per queue and outcome (completed, failed).',
        labelNames: ['queue', 'outcome'] as const,
        buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
        registers: [this.registry],
      }),
    };
  }

  errorsCaptured(): Counter {
    return new Counter({ name: 'moddy_errors_captured_total', help: 'Errors captured by the error tracker.', registers: [this.registry] });
  }

  clusterRestarts(): Counter<'cluster' | 'reason'> {
    return new Counter({
      name: 'moddy_cluster_restarts_total',
      help: 'Cluster processes started again, by reason (crash or missed heartbeats: "respawn"; over CLUSTER_MAX_MEMORY_MB: "memory").',
      labelNames: ['cluster', 'reason'] as const,
      registers: [this.registry],
    });
  }

  /** Shards of this host not connected to the gateway now (0 when all are). */
  shardsDisconnected(read: () => number): void {
    new Gauge({
      name: 'moddy_shards_disconnected',
      help: 'Shards of this host not connected to the Discord gateway.',
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Clusters of this host stopped for good by a gateway close a restart cannot fix, by cluster and close code (`unknown`: not reported). */
  clustersHalted(read: () => readonly { cluster: number; code: number | null }[]): void {
    new Gauge({
      name: 'moddy_clusters_halted',
      help: 'Clusters of this host not respawned after Discord closed a shard with a code a restart cannot fix (4004, 4013, 4014): 1 each, until the manager restarts.',
      labelNames: ['cluster', 'code'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const entry of read())
          this.set({ cluster: String(entry.cluster), code: entry.code === null ? 'unknown' : String(entry.code) }, 1);
      },
    });
  }

  /** The fleet of hosts (Redis), read at scrape time: live hosts, the fleet's shards by state, each live host's guilds. Absent while Redis does not answer. */
  fleet(read: () => Promise<FleetView>): void {
    let latest: Promise<FleetView | null> | undefined;
    // One Redis read per scrape for every gauge; a failed read leaves them out rather than failing /metrics.
    const view = () =>
      (latest ??= read()
        .catch(() => null)
        .finally(() => setImmediate(() => (latest = undefined))));
    new Gauge({
      name: 'moddy_fleet_hosts',
      help: 'Hosts of the bot beating in Redis now.',
      registers: [this.registry],
      async collect() {
        const current = await view();
        if (current) this.set(current.hosts.filter((host) => host.alive).length);
        else this.reset();
      },
    });
    new Gauge({
      name: 'moddy_fleet_shards',
      help: "The fleet's shards by state: connected (through a live host), disconnected (held by a live host), unowned (no live host holds it).",
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const current = await view();
        this.reset();
        for (const [state, count] of Object.entries(current?.shards ?? {})) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'moddy_fleet_guilds',
      help: 'Guilds served by each live host of the bot (sum them for the fleet).',
      labelNames: ['host'],
      registers: [this.registry],
      async collect() {
        const current = await view();
        this.reset();
        for (const host of current?.hosts ?? []) if (host.alive) this.set({ host: host.hostId }, host.guilds ?? 0);
      },
    });
  }

  async text(): Promise<string> {
    if (this.children.length === 0) return this.registry.metrics();
    const snapshots: MetricsSnapshot[] = [await this.registry.getMetricsAsJSON()];
    for (const read of this.children) {
      for (const child of await read()) snapshots.push(withLabel(child.metrics, 'cluster', child.cluster));
    }
    // With the `cluster` label on every child series, "sum" merges the series of one name into one
    // block (one HELP/TYPE) without adding any two together.
    return AggregatorRegistry.aggregate(
      snapshots.map((metrics) => metrics.map((metric) => ({ ...metric, aggregator: 'sum' as const }))),
    ).metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function withLabel(metrics: MetricsSnapshot, name: string, value: string): MetricsSnapshot {
  return metrics.map((metric) => ({
    ...metric,
    values: metric.values.map((entry) => ({ ...entry, labels: { ...entry.labels, [name]: value } })),
  }));
}
