import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ClusterManager, HeartbeatManager, type Cluster } from 'discord-hybrid-sharding';
import { ModdyError } from '../core/moddy-error';
import { createLogger, type Logger } from '../core/logger';
import { migrate } from '../db/migrate';
import { waitForExit } from './child-exit';
import { readClusterReport } from './cluster-report';
import type { FleetMembership } from './fleet';
import { fetchGatewayBot, type GatewayBotInfo } from './gateway-bot';
import { describeFatalClose } from '../bot/gateway/fatal-close';
import { EXIT_FATAL_CLOSE, readFatalCloseReport, type FatalCloseReport } from './gateway-fatal';
import { HostShareError, formatShardRanges, resolveHostShards, type HostShare } from './host-shards';
import { ClusterReaper } from './reaper';
import { RespawnBackoff, type RespawnBackoffOptions } from './respawn-backoff';
import { assertSessionStartsLeft } from './session-start-floor';
import { ShardConnectivity } from './shard-connectivity';

export interface ClusterManagerOptions {
  /** Bot token, handed to each cluster as `DISCORD_TOKEN`. */
  token: string;
  /** Discord's REST base (`DISCORD_API_URL`), for `/gateway/bot` and the clusters. */
  apiUrl: string;
  /** Migrated once before any cluster starts (`migrate(url)`); omit to skip. */
  databaseUrl?: string;
  /** The fleet's shard count (every host's): a number, or `auto` for `/gateway/bot`'s recommendation. */
  totalShards: number | 'auto';
  /** This host's share of the fleet's shards. Default: every shard (one host). */
  hostShare?: HostShare;
  /**
   * This host's membership of the fleet (Redis): the fleet size is agreed with the other hosts and
   * this host's shards are claimed before any cluster starts. Without it, `auto` with a partial
   * share is refused (no agreed fleet size) and no claim protects the shards.
   */
  fleet?: FleetMembership;
  shardsPerCluster: number;
  /**
   * Time Discord wants between two identify "slots" (5 s on Discord). Clusters are spaced by
   * `spawnDelayMs / max_concurrency` per shard, so `max_concurrency` shards identify per slot.
   */
  spawnDelayMs: number;
  /** Identify concurrency; default: `/gateway/bot`'s `max_concurrency`. */
  maxConcurrency?: number;
  /**
   * `DISCORD_SESSION_START_FLOOR`: refuse to start (SessionStartLimitError, before any claim or
   * cluster) when this host's shards would leave fewer of `/gateway/bot`'s
   * `session_start_limit.remaining`. Default 0: no check.
   */
  sessionStartFloor?: number;
  /** Extra environment of every cluster process (DATABASE_URL, REDIS_URL, CACHE_PREFIX, LOG_LEVEL…). */
  env?: Readonly<Record<string, string>>;
  /** The cluster entry script (built JS). Default: `cluster-entry.js` beside this file. */
  file?: string;
  /** Restart a crashed cluster, after a wait that doubles at each crash in a row (`respawnBackoff`), never giving up. Default true. */
  respawn?: boolean;
  respawnBackoff?: RespawnBackoffOptions;
  /** Heartbeats over IPC: a cluster missing `maxMissed` in a row is restarted. Default 20 000 ms, 5. */
  heartbeat?: { intervalMs: number; maxMissed: number };
  /** How long a cluster gets to stop after SIGTERM before SIGKILL. Default 10 000 ms. */
  stopTimeoutMs?: number;
  /** How often each cluster reports its shards' gateway status and its memory. Default 5000 ms. */
  reportIntervalMs?: number;
  /** A ready cluster whose resident memory exceeds this is restarted (logged). 0 or unset: no ceiling. */
  maxMemoryBytes?: number;
  /** Called each time a cluster process is started again: after a crash or missed heartbeats (`respawn`), or over its memory ceiling (`memory`). */
  onRestart?: (clusterId: number, reason: RestartReason) => void;
  logger?: Logger;
}

export type RestartReason = 'respawn' | 'memory';

/** A cluster the manager stopped respawning: Discord closed one of its shards with a code a restart cannot fix. */
export interface HaltedCluster {
  cluster: number;
  shards: number[];
  /** The gateway close code, or null when the cluster exited without telling it. */
  code: number | null;
  /** The cause and what the operator must do. */
  reason: string;
}

export interface ClusterManagerHandle {
  readonly manager: ClusterManager;
  /** The fleet's shard count. */
  readonly totalShards: number;
  /** The shards this host runs, ascending. */
  readonly shards: readonly number[];
  readonly totalClusters: number;
  /** The gateway status of every shard of this host, from the clusters' reports. */
  readonly connectivity: ShardConnectivity;
  /** IDs of the clusters whose client is ready now. */
  readyClusters(): number[];
  /** Guilds of this host's running clusters, from their latest reports. */
  guilds(): number;
  /** Clusters stopped for good by a gateway close a restart cannot fix (4004, 4013, 4014), until the manager restarts. */
  halted(): HaltedCluster[];
  /** Resolves once every cluster has been ready at the same time; rejects after `timeoutMs`. */
  whenReady(timeoutMs?: number): Promise<void>;
  /**
   * Stops, without respawn, every cluster serving one of `shards` (another manager now serves
   * them: see handoff.ts). Resolves with the IDs of the clusters stopped, once they have exited.
   */
  release(shards: readonly number[]): Promise<number[]>;
  /** Stops every cluster (SIGTERM: clients destroyed, connections closed), then returns. Idempotent. */
  close(): Promise<void>;
}

export class ClusterStartTimeoutError extends ModdyError {
  readonly code = 'CLUSTER_START_TIMEOUT';

  constructor(
    readonly waiting: number[],
    timeoutMs: number,
  ) {
    super(`Clusters ${waiting.join(', ')} were not ready within ${timeoutMs} ms`);
  }
}

/** The variables hybrid-sharding's ClusterManager writes into its own process.env; put back after construction. */
const MANAGER_ENV_KEYS = [
  'SHARD_LIST',
  'TOTAL_SHARDS',
  'CLUSTER',
  'CLUSTER_COUNT',
  'CLUSTER_MANAGER',
  'CLUSTER_MANAGER_MODE',
  'DISCORD_TOKEN',
  'MAINTENANCE',
  'CLUSTER_QUEUE_MODE',
] as const;

export function defaultClusterFile(): string {
  return path.join(__dirname, 'cluster-entry.js');
}

/**
 * Starts the bot: migrates the database once, resolves the shard count, then spawns the clusters
 * (process mode, one discord.js client each) with respawn on crash and the heartbeat extension.
 * Usable from code (tests, the demo) as well as from `manager-cli.ts`.
 */
export async function startClusterManager(options: ClusterManagerOptions): Promise<ClusterManagerHandle> {
  const logger = options.logger ?? createLogger('cluster-manager');
  const file = options.file ?? defaultClusterFile();
  if (!existsSync(file)) throw new Error(`Cluster entry ${file} does not exist: run \`npm run build\` first`);
  let gatewayInfo: Promise<GatewayBotInfo> | undefined;
  const gateway = () => (gatewayInfo ??= fetchGatewayBot(options.apiUrl, options.token));
  const share = options.hostShare ?? { kind: 'all' };
  const totalShards = await resolveTotalShards(options.totalShards, share, options.fleet, async () => (await gateway()).shards);
  const shardList = resolveHostShards(share, totalShards);
  const sessionStartFloor = options.sessionStartFloor ?? 0;
  if (sessionStartFloor > 0) assertSessionStartsLeft((await gateway()).sessionStarts, shardList.length, sessionStartFloor);
  // Refused here, before the database or any cluster is touched, if another live host holds one.
  await options.fleet?.claim(shardList);
  const maxConcurrency = options.maxConcurrency ?? (await gateway()).maxConcurrency;
  if (options.databaseUrl) {
    const migration = await migrate(options.databaseUrl);
    logger.info({ applied: migration.applied }, 'database migrated');
  }
  const totalClusters = Math.ceil(shardList.length / options.shardsPerCluster);
  const perShardDelayMs = Math.ceil(options.spawnDelayMs / maxConcurrency);

  const manager = constructManager(file, {
    token: options.token,
    totalShards,
    shardList,
    totalClusters,
    shardsPerClusters: options.shardsPerCluster,
    mode: 'process',
    // Crashes are respawned here (below, with a backoff): hybrid-sharding's own respawn is immediate
    // and gives up for good after a few crashes before the cluster is ever ready.
    respawn: false,
    // Spawn/respawn delays; the spawn call below passes them again since 0 would read as "unset".
    spawnOptions: { delay: perShardDelayMs, timeout: -1 },
    execArgv: [],
  });
  const heartbeat = options.heartbeat ?? { intervalMs: 20_000, maxMissed: 5 };
  manager.extend(new HeartbeatManager({ interval: heartbeat.intervalMs, maxMissedHeartbeats: heartbeat.maxMissed }));

  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const reaper = new ClusterReaper(stopTimeoutMs);
  const connectivity = new ShardConnectivity(shardList);
  /** Cluster ID → guilds in its latest report; a dead cluster counts none until it reports again. */
  const guildsByCluster = new Map<number, number>();
  const maxMemoryBytes = options.maxMemoryBytes ?? 0;
  /** Why a cluster is being restarted by the manager itself; absent: hybrid-sharding's respawn. */
  const restartReasons = new Map<number, RestartReason>();
  let stopping = false;
  const backoff = new RespawnBackoff(options.respawnBackoff);
  const respawnTimers = new Set<NodeJS.Timeout>();
  /** The fatal gateway close each cluster reported before exiting, until its exit. */
  const fatalCloses = new Map<number, FatalCloseReport>();
  const halted = new Map<number, HaltedCluster>();
  /** Respawning would only fail the same way and spend session starts: the cluster stays down, loudly (logs, /ready, /metrics). */
  const halt = (cluster: Cluster, fatal: FatalCloseReport | undefined): void => {
    const reason = fatal
      ? `${describeFatalClose(fatal, fatal.shard)}: ${fatal.fix}`
      : `the cluster exited with code ${EXIT_FATAL_CLOSE}, a gateway close a restart cannot fix: see its error log`;
    halted.set(cluster.id, { cluster: cluster.id, shards: [...cluster.shardList], code: fatal?.code ?? null, reason });
    logger.error(
      { cluster: cluster.id, shards: cluster.shardList, code: fatal?.code ?? null },
      `cluster ${cluster.id} stopped for good, not respawned: ${reason}. Restart the bot once this is fixed.`,
    );
  };
  const respawnAfterCrash = (cluster: Cluster): void => {
    if (stopping || options.respawn === false) return;
    const delayMs = backoff.crashed(cluster.id);
    logger.warn({ cluster: cluster.id, delayMs }, 'cluster crashed: respawning it');
    const timer = setTimeout(() => {
      respawnTimers.delete(timer);
      if (stopping || cluster.thread) return;
      // Resolves once ready; a death before that is another crash, handled by the 'death' listener.
      cluster.spawn(-1).catch(() => undefined);
    }, delayMs);
    respawnTimers.add(timer);
  };
  const childEnv = {
    ...options.env,
    CLUSTER_REPORT_INTERVAL_MS: String(options.reportIntervalMs ?? 5000),
    DISCORD_API_URL: options.apiUrl,
    CLUSTER_MANAGER_MODE: 'process',
    CLUSTER_QUEUE_MODE: 'auto',
  };
  // Our own readiness: hybrid-sharding leaves `cluster.ready` true across a heartbeat respawn.
  const ready = new Set<number>();
  manager.on('clusterCreate', (cluster: Cluster) => {
    Object.assign(cluster.env, childEnv);
    let spawns = 0;
    cluster.on('spawn', (thread) => {
      observeSends(cluster, logger);
      ready.delete(cluster.id);
      if (spawns++ > 0) options.onRestart?.(cluster.id, restartReasons.get(cluster.id) ?? 'respawn');
      restartReasons.delete(cluster.id);
      // Process mode: the thread is a ChildProcess.
      const child = thread && 'pid' in thread ? (thread as ChildProcess) : null;
      if (child) reaper.track(cluster, child);
      logger.info({ cluster: cluster.id, shards: cluster.shardList, pid: child?.pid }, 'cluster spawned');
    });
    // Only an exit the manager did not ask for: hybrid-sharding's kill (stop, release, heartbeat or memory restart) drops the listener.
    cluster.on('death', (_cluster: Cluster, thread: unknown) => {
      ready.delete(cluster.id);
      connectivity.clusterDown(cluster.shardList);
      guildsByCluster.delete(cluster.id);
      const fatal = fatalCloses.get(cluster.id);
      fatalCloses.delete(cluster.id);
      const exitCode = (thread as ChildProcess | undefined)?.exitCode ?? null;
      if (exitCode === EXIT_FATAL_CLOSE) return halt(cluster, fatal);
      logger.warn({ cluster: cluster.id, exitCode, ...(fatal ? { gatewayClose: fatal } : {}) }, 'cluster process exited');
      respawnAfterCrash(cluster);
    });
    cluster.on('message', (message: unknown) => {
      const fatal = readFatalCloseReport(message);
      if (fatal) fatalCloses.set(cluster.id, fatal);
      const report = readClusterReport(message);
      if (!report) return;
      connectivity.report(report.shards);
      guildsByCluster.set(cluster.id, report.guilds);
      // Only a ready cluster: one over the ceiling from its start would otherwise restart in a loop.
      if (maxMemoryBytes > 0 && report.rssBytes > maxMemoryBytes && ready.has(cluster.id) && !stopping && !restartReasons.has(cluster.id)) {
        restartReasons.set(cluster.id, 'memory');
        connectivity.clusterDown(cluster.shardList);
        logger.warn(
          { cluster: cluster.id, shards: cluster.shardList, rssMb: toMb(report.rssBytes), limitMb: toMb(maxMemoryBytes) },
          'cluster over its memory ceiling: restarting it',
        );
        cluster
          .respawn({ delay: 0, timeout: -1 })
          .catch((error: unknown) =>
            logger.error({ err: error, cluster: cluster.id }, 'restarting a cluster over its memory ceiling failed'),
          );
      }
    });
  });
  manager.on('clusterReady', (cluster: Cluster) => {
    ready.add(cluster.id);
    backoff.ready(cluster.id);
    logger.info({ cluster: cluster.id }, 'cluster ready');
  });
  manager.on('debug', (message: string) => logger.debug({ hybrid: message }, 'cluster manager'));

  logger.info(
    {
      totalShards,
      shards: formatShardRanges(shardList),
      totalClusters,
      shardsPerCluster: options.shardsPerCluster,
      maxConcurrency,
      perShardDelayMs,
    },
    'spawning clusters',
  );
  // hybrid-sharding's queue waits for each cluster to be ready and stops at the first that dies
  // first: the clusters after it would never start. That one is respawned; the queue goes on.
  const spawnRest = (spawning: Promise<unknown>): void => {
    spawning.catch((error: unknown) => {
      logger.error({ err: error }, 'a cluster died while the clusters were being spawned');
      if (!stopping && manager.queue.queue.length > 0) spawnRest(manager.queue.start());
    });
  };
  spawnRest(manager.spawn({ amount: totalShards, delay: perShardDelayMs, timeout: -1 }));

  const readyClusters = (): number[] => [...ready].sort((a, b) => a - b);
  /** SIGTERM (the cluster drains), no respawn: hybrid-sharding's kill drops the exit listener. */
  const stopCluster = (cluster: Cluster, reason: string): Promise<void> => {
    const child = cluster.thread?.process as ChildProcess | null | undefined;
    cluster.kill({ force: true, reason });
    ready.delete(cluster.id);
    return child ? waitForExit(child, stopTimeoutMs) : Promise.resolve();
  };
  let closing: Promise<void> | null = null;
  return {
    manager,
    totalShards,
    shards: shardList,
    totalClusters,
    connectivity,
    readyClusters,
    guilds: () => [...guildsByCluster.values()].reduce((sum, count) => sum + count, 0),
    halted: () => [...halted.values()],
    whenReady: (timeoutMs = 60_000) => waitUntilReady(manager, totalClusters, readyClusters, timeoutMs),
    async release(shards) {
      const wanted = new Set(shards);
      const released = [...manager.clusters.values()].filter(
        (cluster) => cluster.thread && cluster.shardList.some((shard) => wanted.has(shard)),
      );
      await Promise.all(released.map((cluster) => stopCluster(cluster, 'handed over to another manager')));
      if (released.length > 0)
        logger.info({ clusters: released.map((cluster) => cluster.id), shards }, 'clusters handed over to a newer manager');
      return released.map((cluster) => cluster.id);
    },
    close() {
      closing ??= (async () => {
        stopping = true;
        for (const timer of respawnTimers) clearTimeout(timer);
        // Clusters not spawned yet never will be (a stop during a long staggered start is quick).
        manager.queue.stop();
        await Promise.all([...manager.clusters.values()].map((cluster) => stopCluster(cluster, 'manager closing')));
        reaper.stop();
        manager.removeAllListeners();
        logger.info('clusters stopped');
      })();
      return closing;
    },
  };
}

/** The fleet's shard count: agreed through the fleet, or this host's own figure when it runs every shard alone. */
async function resolveTotalShards(
  configured: number | 'auto',
  share: HostShare,
  fleet: FleetMembership | undefined,
  recommend: () => Promise<number>,
): Promise<number> {
  if (fleet) return fleet.agreeTotalShards(configured, recommend);
  if (configured !== 'auto') return configured;
  if (share.kind !== 'all')
    throw new HostShareError(
      'HOST_SHARDS/HOST_INDEX with TOTAL_SHARDS=auto need the fleet size agreed through Redis: set a numeric TOTAL_SHARDS or run with a fleet',
    );
  return recommend();
}

function toMb(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

/** hybrid-sharding writes its settings into this process's env; the clusters get them through `cluster.env` instead. */
function constructManager(file: string, options: ConstructorParameters<typeof ClusterManager>[1]): ClusterManager {
  const saved = MANAGER_ENV_KEYS.map((key) => [key, process.env[key]] as const);
  try {
    return new ClusterManager(file, options);
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

function waitUntilReady(manager: ClusterManager, totalClusters: number, readyClusters: () => number[], timeoutMs: number): Promise<void> {
  const allReady = () => readyClusters().length >= totalClusters;
  if (allReady()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      if (!allReady()) return;
      clearTimeout(timer);
      manager.off('clusterReady', onReady);
      resolve();
    };
    const timer = setTimeout(() => {
      manager.off('clusterReady', onReady);
      const ready = new Set(readyClusters());
      const waiting = Array.from({ length: totalClusters }, (_, id) => id).filter((id) => !ready.has(id));
      reject(new ClusterStartTimeoutError(waiting, timeoutMs));
    }, timeoutMs);
    manager.on('clusterReady', onReady);
  });
}

/**
 * hybrid-sharding's `Cluster.send` drops the promise of an object message (its heartbeats among
 * them): a send to a process whose IPC channel has just closed (a crashed cluster, before its exit
 * is handled) then rejects unobserved, and the unhandled rejection ends the manager with every
 * cluster. Each send of the cluster's current process is observed; callers still get the rejection.
 */
function observeSends(cluster: Cluster, logger: Logger): void {
  const thread = cluster.thread;
  if (thread === null) return;
  const send = thread.send.bind(thread);
  thread.send = (message: Parameters<typeof send>[0]) => {
    const sent = send(message);
    sent.catch((error: unknown) => logger.debug({ err: error, cluster: cluster.id }, 'a message to a cluster process was not delivered'));
    return sent;
  };
}
