import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { postgresCheck, redisCheck } from '../../src/observability/health-checks';
import { startHealthServer, type HealthServer } from '../../src/observability/health-server';
import { MetricsRegistry } from '../../src/observability/metrics';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_REDIS_URL } from '../helpers/services';

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
    deadRedis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    redis.disconnect();
    deadRedis.disconnect();
    await dataSource.destroy();
    await database.drop();
  });

  it('answers 200 with every check when PostgreSQL and Redis answer, and serves Prometheus text', async () => {
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

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
    expect(body.ok).toBe(true);
    expect(Object.keys(body.checks).sort()).toEqual(['postgres', 'redis']);

    const scrape = await fetch(`${server.url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    expect(text).toContain('moddy_interactions_total{command="guild",outcome="ok",role="test"} 3');
    expect(text).toContain('moddy_cache_hits{tier="local",role="test"} 7');
    expect(text).toContain('moddy_cache_invalidations{tier="redis",role="test"} 2');
    expect(text).toContain('moddy_process_resident_memory_bytes');
  });

  it('answers 503 naming the failed check when a dependency is down', async () => {
    const server = await startHealthServer({
      port: 0,
      checks: { postgres: postgresCheck(dataSource), redis: redisCheck(deadRedis) },
      metrics: new MetricsRegistry('test'),
      checkTimeoutMs: 500,
    });
    servers.push(server);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { ok: boolean; checks: Record<string, { ok: boolean }> };
    expect(body.ok).toBe(false);
    expect(body.checks.postgres?.ok).toBe(true);
    expect(body.checks.redis?.ok).toBe(false);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});
