import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';
import { deletePrefix } from '../helpers/pipeline-fixture';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { productionBuild } from '../helpers/production-build';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { freePort } from '../helpers/redis-process';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const PM2 = path.join(ROOT, 'node_modules/pm2/bin/pm2');
const TOTAL_SHARDS = 4;

interface Pm2Process {
  name: string;
  pid: number;
  pm_id: number;
  pm2_env: { status: string; restart_time: number; HEALTH_PORT?: string; env: Record<string, string> };
}

/**
 * The real ecosystem.config.js under a pm2 daemon of this test's own (temporary PM2_HOME, spare
 * ports), in production, against an in-process simulator standing in for Discord: the shell's
 * Discord settings reach the bot, workers scale, and a reload of the bot keeps shards connected.
 */
describe('pm2 with ecosystem.config.js --env production', () => {
  let database: TestDatabase;
  let simulator: DiscordSimulator;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let portBase: number;
  const prefix = testPrefix('pm2');

  const pm2 = async (...args: string[]): Promise<string> =>
    (await run(process.execPath, [PM2, ...args], { cwd: ROOT, env, timeout: 120_000 })).stdout;
  const list = async (): Promise<Pm2Process[]> => JSON.parse(await pm2('jlist')) as Pm2Process[];
  const online = async (name: string): Promise<Pm2Process[]> =>
    (await list()).filter((proc) => proc.name === name && proc.pm2_env.status === 'online');
  const healthy = async (port: number): Promise<boolean> =>
    (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200;

  beforeAll(async () => {
    // The ecosystem file runs dist/: the run's production build (`npm run build`'s output) put there.
    await cp(await productionBuild(), path.join(ROOT, 'dist'), { recursive: true });
    database = await createTestDatabase();
    simulator = new DiscordSimulator({
      logger: pino({ level: 'silent' }),
      guilds: [{ id: '1200000000000000001', name: 'Guild', ownerId: '1200000000000000002' }],
      users: [{ id: '1200000000000000002', username: 'owner' }],
    });
    await simulator.start();
    home = await mkdtemp(path.join(tmpdir(), 'moddy-pm2-'));
    // Ten ports per role from a random base, below Linux's ephemeral range (32768+), where the
    // outgoing connections and free ports of the suites running alongside are taken.
    portBase = 20_000 + 10 * Math.floor(Math.random() * 1200);
    const { NODE_ENV: _jest, ...shell } = process.env;
    env = {
      ...shell,
      PM2_HOME: home,
      PM2_LOG_DIR: path.join(home, 'logs'),
      PM2_HEALTH_PORT_BASE: String(portBase),
      // What an operator's shell (or .env) gives in production: pm2 must pass it through untouched.
      DISCORD_API_URL: simulator.apiUrl,
      DISCORD_TOKEN: DEV_TOKEN,
      DISCORD_APPLICATION_ID: simulator.options.applicationId,
      TOTAL_SHARDS: String(TOTAL_SHARDS),
      SHARDS_PER_CLUSTER: '2',
      CLUSTER_SPAWN_DELAY_MS: '0',
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      CACHE_PREFIX: prefix,
      BOARD_PORT: String(await freePort()),
      ERROR_SPOOL_PATH: path.join(home, 'spool.ndjson'),
      LOG_LEVEL: 'info',
    };
    await pm2('start', 'ecosystem.config.js', '--env', 'production');
  }, 120_000);

  afterAll(async () => {
    await pm2('kill').catch(() => undefined);
    await simulator?.stop();
    await deletePrefix(prefix);
    await database?.drop();
    if (home) await rm(home, { recursive: true, force: true });
  }, 60_000);

  it('starts every process but the simulator, and the bot reaches the Discord the shell names', async () => {
    const names = (await list()).map((proc) => proc.name).sort();
    expect(names).toEqual(['moddy-board', 'moddy-bot', 'moddy-discord-log', 'moddy-error-persistence', 'moddy-maintenance']);
    await simulator.waitForShards(TOTAL_SHARDS, 60_000);
    const [bot] = await eventually(() => online('moddy-bot').then((found) => found.length === 1 && found), 30_000);
    expect(bot?.pm2_env.env.DISCORD_API_URL).toBe(simulator.apiUrl);
    expect(bot?.pm2_env.env.NODE_ENV).toBe('production');
    for (const port of [portBase, portBase + 10, portBase + 20, portBase + 30]) await eventually(() => healthy(port), 30_000);
  }, 90_000);

  it('writes logs pm2 leaves as JSON lines, nothing prefixed', async () => {
    const lines = (await readFile(path.join(home, 'logs', 'moddy-bot.out.log'), 'utf8')).split('\n').filter((line) => line.length > 0);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const entry = JSON.parse(line) as { level: number; time: number; msg: string };
      expect(typeof entry.time).toBe('number');
      expect(typeof entry.msg).toBe('string');
    }
    expect(lines.some((line) => line.includes('every cluster is ready'))).toBe(true);
  });

  it('scales a worker to 3 instances, each on its own /health port, none restarting', async () => {
    await pm2('scale', 'moddy-error-persistence', '3');
    const instances = await eventually(() => online('moddy-error-persistence').then((found) => found.length === 3 && found), 30_000).catch(
      async (error: unknown) => {
        // Say what pm2 saw: a restart loop, a launch that never ended…
        const states = (await list()).map((proc) => `${proc.name} ${proc.pm2_env.status} restarts=${proc.pm2_env.restart_time}`);
        throw new Error(`${String(error)}; pm2 list: ${states.join(', ')}`);
      },
    );
    const ports = instances.map((proc) => Number(proc.pm2_env.HEALTH_PORT)).sort();
    expect(ports).toEqual([portBase + 10, portBase + 11, portBase + 12]);
    for (const port of ports) await eventually(() => healthy(port), 30_000);
    expect((await online('moddy-error-persistence')).map((proc) => proc.pm2_env.restart_time)).toEqual([0, 0, 0]);
  }, 60_000);

  it('reloads the bot cluster by cluster: shards stay connected throughout', async () => {
    const [before] = await online('moddy-bot');
    const samples: number[][] = [];
    const sampler = setInterval(() => samples.push([...new Set(simulator.connectedShards().map(([shard]) => shard))]), 20);
    try {
      // Returns once the new manager said ready and pm2 stopped the old one.
      await pm2('reload', 'moddy-bot');
    } finally {
      clearInterval(sampler);
    }
    const [after] = await online('moddy-bot');
    expect(after?.pid).not.toBe(before?.pid);
    expect(samples.length).toBeGreaterThan(10);
    // Never a moment with every shard offline; in fact each shard is handed over only once its new session is up.
    expect(samples.filter((connected) => connected.length === 0)).toEqual([]);
    expect(samples.filter((connected) => connected.length < TOTAL_SHARDS)).toEqual([]);
    await simulator.waitForShards(TOTAL_SHARDS, 30_000);
    // The old manager gave each cluster up as the new one's came up, before pm2 stopped it.
    const log = await readFile(path.join(home, 'logs', 'moddy-bot.out.log'), 'utf8');
    const handedOver = log
      .split('\n')
      .filter((line) => line.includes('clusters handed over to a newer manager'))
      .map((line) => JSON.parse(line) as { pid: number; clusters: number[] });
    expect(handedOver.map((entry) => entry.pid)).toEqual([before?.pid, before?.pid]);
    expect(handedOver.flatMap((entry) => entry.clusters).sort()).toEqual([0, 1]);
  }, 120_000);
});
