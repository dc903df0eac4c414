import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const ecosystemPath = join(root, 'ecosystem.config.js');

interface App {
  name: string;
  script: string;
  max_memory_restart?: string;
  kill_timeout?: number;
  wait_ready?: boolean;
  time?: boolean;
  increment_var?: string;
  env?: Record<string, string>;
  env_production?: Record<string, string>;
}

/** Loads the pm2 file as pm2 does, with the given command line and shell variables. */
function loadApps(argv: string[], shell: Record<string, string> = {}): App[] {
  const saved = { argv: process.argv, env: process.env };
  process.argv = argv;
  // Only what the test names: not the NODE_ENV=test jest sets.
  process.env = { PATH: saved.env.PATH, ...shell };
  try {
    jest.resetModules();
    return (require(ecosystemPath) as { apps: App[] }).apps;
  } finally {
    process.argv = saved.argv;
    process.env = saved.env;
  }
}

const DISCORD_SETTINGS = [
  'DISCORD_API_URL',
  'DISCORD_TOKEN',
  'DISCORD_APPLICATION_ID',
  'TOTAL_SHARDS',
  'SHARDS_PER_CLUSTER',
  'CLUSTER_SPAWN_DELAY_MS',
];

describe('ecosystem.config.js (pm2)', () => {
  it('runs the simulator, the bot, the three workers and the board, from built entry points', () => {
    const apps = loadApps(['node', 'pm2', 'start', 'ecosystem.config.js']);
    expect(apps.map((app) => app.name)).toEqual([
      'moddy-simulator',
      'moddy-bot',
      'moddy-error-persistence',
      'moddy-discord-log',
      'moddy-maintenance',
      'moddy-board',
    ]);
    for (const app of apps) {
      expect(app.script).toMatch(/^dist\/.+\.js$/);
      expect(existsSync(join(root, app.script.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
      expect(app.max_memory_restart).toBeDefined();
      // Above the 15 s drain; every process says ready; nothing prefixes the JSON lines.
      expect(app.kill_timeout).toBeGreaterThan(15_000);
      expect(app.wait_ready).toBe(true);
      expect(app.time).toBeUndefined();
    }
    const bot = apps.find((app) => app.name === 'moddy-bot');
    expect(bot?.env?.DISCORD_API_URL).toBe('http://127.0.0.1:8090/api');
    expect(bot?.env_production?.NODE_ENV).toBe('production');
    expect(bot?.env_production?.DISCORD_API_URL).toBeUndefined();
  });

  it('leaves the simulator out in production, and names neither it nor any Discord setting', () => {
    const apps = loadApps(['node', 'pm2', 'start', 'ecosystem.config.js', '--env', 'production']);
    expect(apps.map((app) => app.name)).not.toContain('moddy-simulator');
    expect(apps).toHaveLength(5);
    // pm2 merges `env` into `env_production`: neither may carry a development value.
    for (const app of apps) {
      const merged = { ...app.env, ...app.env_production };
      expect(Object.keys(merged).filter((name) => DISCORD_SETTINGS.includes(name))).toEqual([]);
      expect(JSON.stringify(merged)).not.toContain('8090');
      expect(merged.NODE_ENV).toBe('production');
    }
  });

  it('lets the shell win over the development defaults', () => {
    const apps = loadApps(['node', 'pm2', 'start', 'ecosystem.config.js'], {
      DISCORD_API_URL: 'https://discord.com/api',
      TOTAL_SHARDS: '16',
    });
    const bot = apps.find((app) => app.name === 'moddy-bot');
    expect(bot?.env?.DISCORD_API_URL).toBeUndefined();
    expect(bot?.env?.TOTAL_SHARDS).toBeUndefined();
    expect(bot?.env?.SHARDS_PER_CLUSTER).toBe('2');
  });

  it('gives every worker its own /health port per instance, ten apart, for `pm2 scale`', () => {
    const apps = loadApps(['node', 'pm2', 'start', 'ecosystem.config.js', '--env', 'production'], { PM2_HEALTH_PORT_BASE: '9200' });
    const workers = apps.filter((app) => app.script.startsWith('dist/src/workers/'));
    expect(workers).toHaveLength(3);
    for (const worker of workers) expect(worker.increment_var).toBe('HEALTH_PORT');
    expect(workers.map((worker) => worker.env_production?.HEALTH_PORT)).toEqual(['9210', '9220', '9230']);
    expect(apps.find((app) => app.name === 'moddy-bot')?.env_production?.HEALTH_PORT).toBe('9200');
  });
});
