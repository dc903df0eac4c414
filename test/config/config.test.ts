import { parseConfig } from '../../src/config';
import { ConfigError } from '../../src/core/errors';

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
