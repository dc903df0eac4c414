import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const ecosystemPath = join(root, 'ecosystem.config.js');

interface App {
  name: string;
  script: string;
  max_memory_restart?: string;
  kill_timeout?: number;
  env?: Record<string, string>;
  env_production?: Record<string, string>;
}

/** Loads the pm2 file as pm2 does, with the given command line. */
function loadApps(argv: string[]): App[] {
  const savedArgv = process.argv;
  process.argv = argv;
  try {
    jest.resetModules();
    return (require(ecosystemPath) as { apps: App[] }).apps;
  } finally {
    process.argv = savedArgv;
  }
}

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
      expect(app.kill_timeout).toBeGreaterThanOrEqual(10_000);
    }
    const bot = apps.find((app) => app.name === 'moddy-bot');
    expect(bot?.env?.DISCORD_API_URL).toBe('http://127.0.0.1:8090/api');
    expect(bot?.env_production?.NODE_ENV).toBe('production');
    expect(bot?.env_production?.DISCORD_API_URL).toBeUndefined();
  });

  it('leaves the simulator out in production', () => {
    const apps = loadApps(['node', 'pm2', 'start', 'ecosystem.config.js', '--env', 'production']);
    expect(apps.map((app) => app.name)).not.toContain('moddy-simulator');
    expect(apps).toHaveLength(5);
  });
});
