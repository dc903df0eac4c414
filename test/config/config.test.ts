import { parseConfig } from '../../src/config';
import { ConfigError } from '../../src/core/moddy-error';
import { redisTargetFromConfig } from '../../src/redis';

describe('configuration', () => {
  it('runs with no variable set, pointing at the local services', () => {
    const config = parseConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/moddy');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.BOT_OWNER_IDS).toEqual([]);
    expect(config.ERROR_RETENTION_DAYS).toBe(30);
  });

  it('parses numbers, booleans and lists from strings, and treats empty as unset', () => {
    const config = parseConfig({
      CACHE_ENABLED: 'false',
      CACHE_LOCAL_MAX_ENTRIES: '500',
      TOTAL_SHARDS: '4',
      BOT_OWNER_IDS: '123456789012345678, 223456789012345678',
      LOG_LEVEL: '',
    });
    expect(config.CACHE_ENABLED).toBe(false);
    expect(config.CACHE_LOCAL_MAX_ENTRIES).toBe(500);
    expect(config.TOTAL_SHARDS).toBe(4);
    expect(config.BOT_OWNER_IDS).toEqual(['123456789012345678', '223456789012345678']);
    expect(config.LOG_LEVEL).toBe('info');
    expect(parseConfig({ TOTAL_SHARDS: 'auto' }).TOTAL_SHARDS).toBe('auto');
  });

  it('selects exactly one Redis mode: one node by default, Sentinel or Cluster when set, two at once refused', () => {
    expect(redisTargetFromConfig(parseConfig({}))).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(
      redisTargetFromConfig(
        parseConfig({ REDIS_SENTINELS: '10.0.0.1:26379, [::1]:26380', REDIS_SENTINEL_NAME: 'main', REDIS_PASSWORD: 'pw' }),
      ),
    ).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'main',
      password: 'pw',
    });
    const cluster = parseConfig({ REDIS_CLUSTER_NODES: 'redis-a:6379,redis-b:6379' });
    expect(cluster.REDIS_URL).toBeUndefined();
    expect(redisTargetFromConfig(cluster)).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'redis-a', port: 6379 },
        { host: 'redis-b', port: 6379 },
      ],
    });
    expect(() => parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: 'a:1' })).toThrow(
      /set only one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES/,
    );
    expect(() => parseConfig({ REDIS_SENTINELS: 'a:1', REDIS_CLUSTER_NODES: 'b:2' })).toThrow(ConfigError);
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: 'no-port' })).toThrow(/REDIS_CLUSTER_NODES: must be host:port pairs/);
  });

  it('reports every bad variable at once, by name', () => {
    let caught: unknown;
    try {
      parseConfig({ DATABASE_URL: 'mysql://nope', LOG_LEVEL: 'loud', BOARD_PORT: '99999', BOT_OWNER_IDS: 'me' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    for (const name of ['DATABASE_URL', 'LOG_LEVEL', 'BOARD_PORT', 'BOT_OWNER_IDS']) {
      expect(problems.some((problem) => problem.startsWith(`${name}`))).toBe(true);
    }
    expect((caught as ConfigError).code).toBe('CONFIG_INVALID');
  });

  it('defaults the health, memory and Discord-log settings', () => {
    const config = parseConfig({});
    expect(config.HEALTH_GATEWAY_GRACE_SECONDS).toBe(60);
    expect(config.CLUSTER_MAX_MEMORY_MB).toBe(2048);
    expect(config.CLUSTER_REPORT_INTERVAL_MS).toBe(5000);
    expect(config.DISCORD_LOG_BATCH_WINDOW_MS).toBe(2000);
    expect(config.DISCORD_LOG_DEDUPE_WINDOW_SECONDS).toBe(60);
  });
});
