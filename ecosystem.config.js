// pm2 process file. Build first (`npm run build`), then:
//   pm2 start ecosystem.config.js                    → every process, against the local simulator
//   pm2 start ecosystem.config.js --env production   → every process, against Discord (no simulator)
// Settings beyond those below come from the environment pm2 is started in (see README).
const production = process.argv.includes('production') || process.env.NODE_ENV === 'production';

const SIMULATOR_PORT = process.env.SIMULATOR_PORT || '8090';
// The simulator's fixed development bot (src/simulator/options.ts: DEV_BOT_USER, DEV_TOKEN).
const SIMULATOR_BOT_ID = '1100000000000000001';
const SIMULATOR_TOKEN = `${Buffer.from(SIMULATOR_BOT_ID).toString('base64url')}.c2ltdWxhdG9y.moddy-simulator-dev-token`;

/** Shared by every Moddy process. */
const common = {
  cwd: __dirname,
  exec_mode: 'fork',
  autorestart: true,
  // Back off when a process keeps crashing (e.g. PostgreSQL down): 100 ms, doubling up to 15 s.
  exp_backoff_restart_delay: 100,
  max_restarts: 50,
  min_uptime: '10s',
  // Processes drain their jobs and close connections on SIGINT: give them time to.
  kill_timeout: 15000,
  time: true,
  merge_logs: true,
  out_file: 'var/log/pm2/out.log',
  error_file: 'var/log/pm2/error.log',
};

const development = {
  NODE_ENV: 'development',
  DISCORD_API_URL: `http://127.0.0.1:${SIMULATOR_PORT}/api`,
  DISCORD_TOKEN: SIMULATOR_TOKEN,
  DISCORD_APPLICATION_ID: SIMULATOR_BOT_ID,
  TOTAL_SHARDS: '4',
  SHARDS_PER_CLUSTER: '2',
  CLUSTER_SPAWN_DELAY_MS: '500',
};

const app = (name, script, healthPort, memory, extra = {}) => ({
  ...common,
  name,
  script,
  max_memory_restart: memory,
  out_file: `var/log/pm2/${name}.out.log`,
  error_file: `var/log/pm2/${name}.err.log`,
  env: { ...development, HEALTH_PORT: String(healthPort), ...extra },
  env_production: { NODE_ENV: 'production', HEALTH_PORT: String(healthPort), ...extra },
});

const apps = [
  app('moddy-bot', 'dist/src/cluster/manager-cli.js', 9100, '1536M'),
  app('moddy-error-persistence', 'dist/workers/error-persistence.js', 9101, '512M'),
  app('moddy-discord-log', 'dist/workers/discord-log.js', 9102, '512M'),
  app('moddy-maintenance', 'dist/workers/maintenance.js', 9103, '512M'),
  // The board serves its own /health on BOARD_PORT.
  app('moddy-board', 'dist/src/board/cli.js', 0, '512M', { BOARD_PORT: '3000' }),
];

if (!production) {
  // The local Discord simulator stands in for Discord; it is never started in production.
  apps.unshift({
    ...common,
    name: 'moddy-simulator',
    script: 'dist/src/simulator/cli.js',
    max_memory_restart: '512M',
    out_file: 'var/log/pm2/moddy-simulator.out.log',
    error_file: 'var/log/pm2/moddy-simulator.err.log',
    env: { NODE_ENV: 'development', SIMULATOR_PORT },
  });
}

module.exports = { apps };
