import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { postgresCheck, redisCheck } from '../../src/observability/health-checks';
import { startHealthServer, type HealthServer } from '../../src/observability/health-server';
import { MetricsRegistry } from '../../src/observability/metrics';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_REDIS_URL } from '../helpers/services';
import { parseExposition } from '../helpers/prometheus';

describe('health and metrics endpoint', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let redis: Redis;
  let deadRedis: Redis;
  const servers: HealthServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = createDataSource({ url: database.url, poolSize: 2 });
    await dataSource.initialize();
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    // Port 1 never answers: stands for a Redis that is down.
    deadRedis = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    redis.disconnect();
    deadRedis.disconnect();
    await dataSource.destroy();
    await database.drop();
  });

  it('answers /ready 200 with every check when PostgreSQL and Redis answer, and serves Prometheus text with counters', async () => {
    const metrics = new MetricsRegistry('test');
    const { handled } = metrics.interactions();
    handled.inc({ command: 'guild', outcome: 'ok' }, 3);
    metrics.cache(() => ({
      enabled: true,
      local: { hits: 7, misses: 1, loads: 1, invalidations: 0, errors: 0 },
      redis: { hits: 1, misses: 0, loads: 0, invalidations: 2, errors: 0 },
      database: { loads: 1 },
    }));
    const server = await startHealthServer({ port: 0, checks: { postgres: postgresCheck(dataSource), redis: redisCheck(redis) }, metrics });
    servers.push(server);

    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
    expect(body.ok).toBe(true);
    expect(Object.keys(body.checks).sort()).toEqual(['postgres', 'redis']);

    const scrape = await fetch(`${server.url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const exposition = parseExposition(await scrape.text());
    expect(exposition.find('moddy_interactions_total', { command: 'guild', outcome: 'ok', role: 'test' })[0]?.value).toBe(3);
    for (const field of ['hits', 'misses', 'loads', 'invalidations', 'errors'])
      expect(exposition.types.get(`moddy_cache_${field}_total`)).toBe('counter');
    expect(exposition.types.get('moddy_database_loads_total')).toBe('counter');
    expect(exposition.find('moddy_cache_hits_total', { tier: 'local', role: 'test' })[0]?.value).toBe(7);
    expect(exposition.find('moddy_cache_invalidations_total', { tier: 'redis', role: 'test' })[0]?.value).toBe(2);
    expect(exposition.find('moddy_database_loads_total')[0]?.value).toBe(1);
    expect(exposition.types.get('moddy_process_resident_memory_bytes')).toBe('gauge');
    // A second scrape reads the source again: no double counting.
    const again = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
    expect(again.find('moddy_cache_hits_total', { tier: 'local' })[0]?.value).toBe(7);
  });

  it('answers /ready 503 naming the failed check when a dependency is down, while /health (liveness) stays 200', async () => {
    const server = await startHealthServer({
      port: 0,
      checks: { postgres: postgresCheck(dataSource), redis: redisCheck(deadRedis) },
      metrics: new MetricsRegistry('test'),
      checkTimeoutMs: 500,
    });
    servers.push(server);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
    expect(body.ok).toBe(false);
    expect(body.checks.postgres?.ok).toBe(true);
    expect(body.checks.redis?.ok).toBe(false);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });

  it("serves the clusters' series under one family each, labelled by cluster, beside its own", async () => {
    // Registries as the clusters make them (process metrics on), read as the manager reads them over IPC.
    const cluster = async (id: string) => {
      const registry = new MetricsRegistry('bot');
      registry.interactions().handled.inc({ command: 'ping', outcome: 'ok' }, Number(id) + 1);
      return { cluster: id, metrics: await registry.registry.getMetricsAsJSON() };
    };
    const manager = new MetricsRegistry('bot');
    const snapshots = await Promise.all([cluster('0'), cluster('1')]);
    manager.aggregate(async () => snapshots);
    const exposition = parseExposition(await manager.text());
    expect(exposition.find('moddy_interactions_total', { cluster: '0' })[0]?.value).toBe(1);
    expect(exposition.find('moddy_interactions_total', { cluster: '1' })[0]?.value).toBe(2);
    expect(exposition.types.get('moddy_process_resident_memory_bytes')).toBe('gauge');
    const memory = exposition.find('moddy_process_resident_memory_bytes');
    expect(memory.map((sample) => sample.labels.cluster ?? 'manager').sort()).toEqual(['0', '1', 'manager']);
    expect(memory.every((sample) => sample.value > 0)).toBe(true);
  });
});
