import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startClusterManager, type ClusterManagerHandle, type RestartReason } from '../../src/cluster/manager';
import { startManagerEndpoint } from '../../src/cluster/manager-endpoint';
import type { HealthServer } from '../../src/observability/health-server';
import { MetricsRegistry } from '../../src/observability/metrics';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';
import { deletePrefix } from '../helpers/pipeline-fixture';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { parseExposition } from '../helpers/prometheus';
import { productionBuild } from '../helpers/production-build';
import { recordingLogger } from '../helpers/recording-logger';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';

/**
 * The manager's /ready and /metrics with real clusters (built JS, child processes) against the
 * simulator: 1 cluster × 2 shards, reports every 200 ms, a 2 s gateway grace.
 */

const GRACE_SECONDS = 2;
const silent = pino({ level: 'silent' });

interface Readiness {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: { message?: string; shards?: number[] } }>;
}

describe('cluster manager: /ready follows the gateway, /metrics labels every cluster', () => {
  let clusterFile: string;
  let database: TestDatabase;
  let spoolDir: string;
  const prefix = testPrefix('ready');
  let simulator: DiscordSimulator;
  let port: number;

  const clusterEnv = () => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    CACHE_PREFIX: prefix,
    ERROR_SPOOL_PATH: path.join(spoolDir, 'spool.ndjson'),
  });

  const startSimulator = async (onPort = 0) => {
    const started = new DiscordSimulator({
      logger: silent,
      port: onPort,
      heartbeatIntervalMs: 1000,
      guilds: [{ id: '200000000000000001', name: 'Guild', ownerId: '300000000000000001' }],
    });
    await started.start();
    return started;
  };

  beforeAll(async () => {
    // Process mode runs a file: the JS the clusters run.
    clusterFile = path.join(await productionBuild(), 'src/cluster/cluster-entry.js');
    database = await createTestDatabase();
    spoolDir = await mkdtemp(path.join(tmpdir(), 'moddy-ready-'));
    simulator = await startSimulator();
    port = Number(new URL(simulator.url).port);
  }, 120_000);

  afterAll(async () => {
    await simulator?.stop();
    await deletePrefix(prefix);
    await database?.drop();
    if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
  }, 60_000);

  const start = (
    options: { maxMemoryBytes?: number; logger?: pino.Logger; onRestart?: (cluster: number, reason: RestartReason) => void } = {},
  ) =>
    startClusterManager({
      file: clusterFile,
      token: DEV_TOKEN,
      apiUrl: simulator.apiUrl,
      totalShards: 2,
      shardsPerCluster: 2,
      spawnDelayMs: 0,
      env: clusterEnv(),
      reportIntervalMs: 200,
      stopTimeoutMs: 5000,
      logger: options.logger ?? silent,
      maxMemoryBytes: options.maxMemoryBytes,
      onRestart: options.onRestart,
    });

  it('answers 503 naming the shards once they are off the gateway longer than the grace, 200 once they are back', async () => {
    let manager: ClusterManagerHandle | undefined;
    let endpoint: HealthServer | undefined;
    try {
      manager = await start();
      const metrics = new MetricsRegistry('bot');
      metrics.clusterRestarts();
      endpoint = await startManagerEndpoint({
        handle: manager,
        metrics,
        port: 0,
        databaseUrl: database.url,
        redis: TEST_REDIS_URL,
        gatewayGraceSeconds: GRACE_SECONDS,
      });
      const url = endpoint.url;
      const ready = async (): Promise<{ status: number; body: Readiness }> => {
        const response = await fetch(`${url}/ready`);
        return { status: response.status, body: (await response.json()) as Readiness };
      };

      await manager.whenReady(60_000);
      await eventually(async () => (await ready()).status === 200, 30_000);
      // Ready within the grace does not mean every shard has reported itself connected yet.
      await eventually(async () => manager?.connectivity.disconnected().length === 0, 30_000);

      // The manager's /metrics: its own series and each cluster's, labelled, typed.
      const exposition = parseExposition(await (await fetch(`${url}/metrics`)).text());
      expect(exposition.types.get('moddy_process_resident_memory_bytes')).toBe('gauge');
      expect(exposition.find('moddy_process_resident_memory_bytes', { role: 'bot', cluster: '0' })[0]?.value).toBeGreaterThan(0);
      expect(exposition.find('moddy_process_resident_memory_bytes').some((sample) => sample.labels.cluster === undefined)).toBe(true);
      for (const field of ['hits', 'misses', 'loads', 'invalidations', 'errors'])
        expect(exposition.types.get(`moddy_cache_${field}_total`)).toBe('counter');
      expect(exposition.find('moddy_cache_hits_total', { tier: 'local', cluster: '0' })).toHaveLength(1);
      expect(exposition.types.get('moddy_database_loads_total')).toBe('counter');
      expect(exposition.types.get('moddy_errors_captured_total')).toBe('counter');
      expect(exposition.find('moddy_errors_captured_total', { cluster: '0' })[0]?.value).toBe(0);
      expect(exposition.types.get('moddy_interactions_total')).toBe('counter');
      expect(exposition.types.get('moddy_command_duration_seconds')).toBe('histogram');
      expect(exposition.types.get('moddy_cluster_restarts_total')).toBe('counter');
      expect(exposition.find('moddy_shards_disconnected')[0]?.value).toBe(0);

      // Discord goes away: past the grace, 503 naming both shards (the grace itself: shard-connectivity.test.ts).
      await simulator.stop();
      await eventually(async () => manager?.connectivity.disconnected().length === 2, 15_000);
      const down = await eventually(async () => {
        const answer = await ready();
        return answer.status === 503 ? answer.body : null;
      }, 30_000);
      expect(down.checks.gateway?.ok).toBe(false);
      expect(down.checks.gateway?.detail?.shards).toEqual([0, 1]);
      expect(down.checks.gateway?.detail?.message).toContain('shards 0, 1');
      expect(down.checks.postgres?.ok).toBe(true);
      // Liveness is not readiness: the manager itself is fine.
      expect((await fetch(`${url}/health`)).status).toBe(200);

      // Discord comes back on the same address: the shards reconnect and /ready is 200 again.
      simulator = await startSimulator(port);
      await eventually(async () => (await ready()).status === 200, 60_000);
      expect(manager.connectivity.disconnected()).toEqual([]);
    } finally {
      await manager?.close();
      await endpoint?.close();
    }
  }, 180_000);

  it('restarts a cluster over its memory ceiling, logged and counted by reason', async () => {
    const { logger, lines } = recordingLogger();
    const restarts: [number, RestartReason][] = [];
    // A ceiling any process exceeds: the first report triggers a restart.
    const manager = await start({ maxMemoryBytes: 1024 * 1024, logger, onRestart: (cluster, reason) => restarts.push([cluster, reason]) });
    try {
      await eventually(() => restarts.length > 0, 60_000);
      expect(restarts[0]).toEqual([0, 'memory']);
      const line = lines.find((entry) => entry.msg === 'cluster over its memory ceiling: restarting it');
      expect(line).toMatchObject({ cluster: 0, shards: [0, 1], limitMb: 1 });
      expect(Number(line?.rssMb)).toBeGreaterThan(1);
    } finally {
      await manager.close();
    }
  }, 120_000);

  it('a shard Discord closes for good: 4011 restarts its cluster with backoff; 4014 halts it, in the logs, /ready and /metrics', async () => {
    const { logger, lines } = recordingLogger();
    const restarts: [number, RestartReason][] = [];
    const manager = await start({ logger, onRestart: (cluster, reason) => restarts.push([cluster, reason]) });
    let endpoint: HealthServer | undefined;
    try {
      endpoint = await startManagerEndpoint({
        handle: manager,
        metrics: new MetricsRegistry('bot'),
        port: 0,
        databaseUrl: database.url,
        redis: TEST_REDIS_URL,
        gatewayGraceSeconds: GRACE_SECONDS,
      });
      await manager.whenReady(60_000);
      await eventually(() => manager.connectivity.disconnected().length === 0, 30_000);

      // 4011 Sharding required: a new process may get past it, so the cluster exits non-zero and is respawned.
      expect(simulator.disconnectShard(1, 4011)).toBe(true);
      await eventually(() => restarts.length > 0, 60_000);
      expect(restarts).toEqual([[0, 'respawn']]);
      expect(lines.find((line) => line.msg === 'cluster process exited')).toMatchObject({
        cluster: 0,
        exitCode: 1,
        gatewayClose: { code: 4011, shard: 1, restartable: true },
      });
      await eventually(() => manager.readyClusters().length === 1 && manager.connectivity.disconnected().length === 0, 60_000);

      // 4014 Disallowed intents: only the operator can fix it; respawning would only spend session starts.
      expect(simulator.disconnectShard(0, 4014)).toBe(true);
      await eventually(() => manager.halted().length === 1, 30_000);
      expect(manager.halted()).toEqual([
        { cluster: 0, shards: [0, 1], code: 4014, reason: expect.stringContaining('Privileged Gateway Intents') as string },
      ]);
      const halt = lines.find((line) => line.msg.startsWith('cluster 0 stopped for good'));
      expect(halt).toMatchObject({ level: 50, code: 4014 });
      expect(halt?.msg).toContain('Discord closed shard 0 with 4014 (Disallowed intents)');
      // The exit was handled by halting: no respawn was scheduled for it (only 4011's).
      expect(lines.filter((line) => line.msg === 'cluster crashed: respawning it')).toHaveLength(1);
      const answer = await fetch(`${endpoint.url}/ready`);
      expect(answer.status).toBe(503);
      const body = (await answer.json()) as Readiness;
      expect(body.checks.gateway?.detail?.message).toContain('cluster 0 (shards 0, 1) halted: Discord closed shard 0 with 4014');
      const exposition = parseExposition(await (await fetch(`${endpoint.url}/metrics`)).text());
      expect(exposition.find('moddy_clusters_halted', { cluster: '0', code: '4014' })[0]?.value).toBe(1);
    } finally {
      await manager.close();
      await endpoint?.close();
    }
  }, 180_000);
});
