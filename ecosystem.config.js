// pm2 process file. Build first (`npm run build:dev` for the development env, whose simulator the
// production `npm run build` leaves out; `npm run build` is enough with --env production), then:
//   pm2 start ecosystem.config.js                    → every process, against the local simulator
//   pm2 start ecosystem.config.js --env production   → every process, against Discord (no simulator)
// Settings come from the shell pm2 is started in and from `.env` beside this file (each process
// loads it too; the shell wins). Production adds nothing but NODE_ENV and each role's ports: pm2
// merges `env` into `env_production`, so `env` holds development values only when not in production.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { parseEnv } = require('node:util');

const production =
  process.argv.includes('production') || process.argv.includes('--env=production') || process.env.NODE_ENV === 'production';

/** `.env` beside this file, parsed (not loaded): only to know which settings the operator gave. */
function readDotEnv() {
  try {
    return parseEnv(readFileSync(path.join(__dirname, '.env'), 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    throw error;
  }
}
const dotEnv = readDotEnv();
const given = (name) => Boolean(process.env[name] || dotEnv[name]);
const setting = (name, fallback) => process.env[name] || dotEnv[name] || fallback;

// Settings of this file only (not of the processes): where pm2 writes the logs, and the first of
// the /health ports (bot: base, workers: base+10, +20, +30), to run two deployments on one host.
const LOG_DIR = setting('PM2_LOG_DIR', 'var/log/pm2');
const HEALTH_PORT_BASE = Number(setting('PM2_HEALTH_PORT_BASE', '9100'));

const SIMULATOR_PORT = setting('SIMULATOR_PORT', '8090');
// The simulator's fixed development bot (src/simulator/options.ts: DEV_BOT_USER, DEV_TOKEN).
const SIMULATOR_BOT_ID = '1100000000000000001';
const SIMULATOR_TOKEN = `${Buffer.from(SIMULATOR_BOT_ID).toString('base64url')}.c2ltdWxhdG9y.moddy-simulator-dev-token`;

/** Development points the bot at the local simulator, for each setting the shell and `.env` leave unset. */
const developmentDefaults = {
  NODE_ENV: 'development',
  DISCORD_API_URL: `http://127.0.0.1:${SIMULATOR_PORT}/api`,
  DISCORD_TOKEN: SIMULATOR_TOKEN,
  DISCORD_APPLICATION_ID: SIMULATOR_BOT_ID,
  TOTAL_SHARDS: '4',
  SHARDS_PER_CLUSTER: '2',
  CLUSTER_SPAWN_DELAY_MS: '500',
};
const development = production ? {} : Object.fromEntries(Object.entries(developmentDefaults).filter(([name]) => !given(name)));

/** Shared by every Moddy process. */
const common = {
  cwd: __dirname,
  exec_mode: 'fork',
  autorestart: true,
  // Back off when a process keeps crashing (e.g. PostgreSQL down): 100 ms, doubling up to 15 s.
  exp_backoff_restart_delay: 100,
  max_restarts: 50,
  min_uptime: '10s',
  // Each process says `ready` (process.send) once it really is: `pm2 reload` and `start` wait for it.
  wait_ready: true,
  listen_timeout: 30000,
  // Processes drain their jobs and close connections on SIGINT (up to 15 s): give them time to.
  kill_timeout: 20000,
  // No `time: true`: the lines are JSON (pino's own `time` field); a prefix would break every log tool.
  merge_logs: true,
};

const app = (name, script, memory, settings) => ({
  ...common,
  name,
  script,
  max_memory_restart: memory,
  out_file: path.join(LOG_DIR, `${name}.out.log`),
  error_file: path.join(LOG_DIR, `${name}.err.log`),
  env: { ...development, ...settings },
  env_production: { NODE_ENV: 'production', ...settings },
});

/**
 * A worker: `pm2 scale <name> N` starts more instances, each on its own /health port
 * (`increment_var`: base, base+1, …), so the bases are 10 apart.
 */
const worker = (name, script, healthPort) => ({
  ...app(name, script, '512M', { HEALTH_PORT: String(healthPort) }),
  increment_var: 'HEALTH_PORT',
});

const apps = [
  {
    // Cluster mode (one instance) so that `pm2 reload` starts the new manager before stopping the
    // old one: the new manager replaces the old one's clusters one at a time (src/cluster/handoff.ts)
    // and says ready once all of its own are, so some shards stay connected throughout a deploy.
    ...app('moddy-bot', 'dist/src/cluster/manager-cli.js', '1536M', { HEALTH_PORT: String(HEALTH_PORT_BASE) }),
    exec_mode: 'cluster',
    instances: 1,
    // A staggered start of every shard (5 s per identify slot) can take minutes on a big bot.
    listen_timeout: 15 * 60 * 1000,
  },
  worker('moddy-error-persistence', 'dist/src/workers/error-persistence-cli.js', HEALTH_PORT_BASE + 10),
  worker('moddy-discord-log', 'dist/src/workers/discord-log-cli.js', HEALTH_PORT_BASE + 20),
  worker('moddy-maintenance', 'dist/src/workers/maintenance-cli.js', HEALTH_PORT_BASE + 30),
  // The board serves its own /health on BOARD_PORT.
  app('moddy-board', 'dist/src/board/board-cli.js', '512M', { BOARD_PORT: setting('BOARD_PORT', '3000') }),
];

if (!production) {
  // The local Discord simulator stands in for Discord; it is never started in production.
  apps.unshift(app('moddy-simulator', 'dist/src/simulator/simulator-cli.js', '512M', { SIMULATOR_PORT }));
}

module.exports = { apps };
