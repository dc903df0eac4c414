import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';
import { freePort, RedisProcess } from '../helpers/redis-process';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const ROOT = path.resolve(__dirname, '../..');
const GUILD = '1300000000000000001';
const OWNER = '1300000000000000002';
const LOG_CHANNEL = '1300000000000000003';
const BOT_ROLE = '1300000000000000004';
const BOT_ID = '1100000000000000001';
const SEND_AND_EMBED = String((1n << 10n) | (1n << 11n) | (1n << 14n));

/** `npm run doctor` as an operator runs it (the TypeScript entry point): its exit code and table. */
function doctor(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { NODE_ENV: _jest, ...shell } = process.env;
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'test/helpers/ts-register.cjs'), path.join(ROOT, 'src/doctor/doctor-cli.ts')],
    {
      cwd: ROOT,
      env: { ...shell, NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

/** The table's lines as [mark, check name]. */
const marks = (output: string) => [...output.matchAll(/^([✔✘]) (\S.*?)\s{2,}/gm)].map((match) => [match[1], match[2]?.trim()]);

describe('npm run doctor', () => {
  let database: TestDatabase;
  let redis: RedisProcess;
  let redisDir: string;
  let simulator: DiscordSimulator;

  beforeAll(async () => {
    database = await createTestDatabase();
    // A Redis of this test's own, set up as production wants it: AOF on, noeviction.
    redisDir = await mkdtemp(path.join(tmpdir(), 'moddy-doctor-redis-'));
    redis = await RedisProcess.start(['--dir', redisDir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction']);
    simulator = new DiscordSimulator({
      logger: pino({ level: 'silent' }),
      recommendedShards: 2,
      users: [{ id: OWNER, username: 'owner' }],
      guilds: [
        {
          id: GUILD,
          name: 'HQ',
          ownerId: OWNER,
          channels: [{ id: LOG_CHANNEL, name: 'error-log' }],
          roles: [{ id: BOT_ROLE, name: 'Moddy', permissions: SEND_AND_EMBED }],
          members: [{ userId: OWNER }, { userId: BOT_ID, roles: [BOT_ROLE] }],
        },
      ],
    });
    await simulator.start();
  }, 60_000);

  afterAll(async () => {
    await simulator?.stop();
    await redis?.kill();
    if (redisDir) await rm(redisDir, { recursive: true, force: true });
    await database?.drop();
  });

  const healthy = () => ({
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    DISCORD_API_URL: simulator.apiUrl,
    DISCORD_TOKEN: DEV_TOKEN,
    DISCORD_APPLICATION_ID: BOT_ID,
    ERROR_LOG_CHANNEL_ID: LOG_CHANNEL,
    TOTAL_SHARDS: 'auto',
  });

  it('passes every check against a deployment that is ready, and exits 0', async () => {
    const { code, output } = await doctor(healthy());
    expect(output).not.toContain('✘');
    expect(marks(output)).toEqual([
      ['✔', 'configuration'],
      ['✔', 'NODE_ENV'],
      ['✔', 'PostgreSQL reachable'],
      ['✔', 'PostgreSQL version'],
      ['✔', 'migrations'],
      ['✔', 'connection budget'],
      ['✔', 'Redis reachable'],
      ['✔', 'Redis version'],
      ['✔', 'Redis maxmemory-policy'],
      ['✔', 'Redis persistence'],
      ['✔', 'Discord token'],
      ['✔', 'Discord application ID'],
      ['✔', 'Discord shards'],
      ['✔', 'Discord session starts'],
      ['✔', 'error-log channel'],
      ['✔', 'board auth'],
    ]);
    // TOTAL_SHARDS=auto: the budget counts Discord's 2 recommended shards, one cluster.
    expect(output).toMatch(/connection budget +Moddy needs up to 44 \(1 cluster\(s\)/);
    expect(output).toContain('#error-log: View Channel, Send Messages, Embed Links');
    expect(output).not.toContain(DEV_TOKEN);
    expect(code).toBe(0);
  }, 60_000);

  it('names each broken piece with its fix, prints no secret, and exits 1', async () => {
    const deadPort = await freePort();
    const { code, output } = await doctor({
      ...healthy(),
      // The database does not exist, Redis is not there, the token is not the bot's.
      DATABASE_URL: database.url.replace(/\/[^/]+$/, '/moddy_doctor_missing').replace('postgres@', 'postgres:hunter2secret@'),
      REDIS_URL: `redis://127.0.0.1:${deadPort}`,
      DISCORD_TOKEN: 'not.the-bot.s-token-secret',
      BOARD_USER: 'admin',
    });
    expect(code).toBe(1);
    expect(marks(output)).toEqual([
      ['✔', 'configuration'],
      ['✔', 'NODE_ENV'],
      ['✘', 'PostgreSQL reachable'],
      ['✘', 'Redis reachable'],
      ['✘', 'Discord token'],
      ['✘', 'board auth'],
    ]);
    expect(output).toContain('→ fix: run `npm run migrate` (it creates the database)');
    expect(output).toContain('→ fix: start Redis, or fix REDIS_URL');
    expect(output).toContain('→ fix: reset the token in the Developer Portal');
    expect(output).toContain('→ fix: set BOARD_PASSWORD too, or unset both');
    expect(output).not.toContain('hunter2secret');
    expect(output).not.toContain('not.the-bot.s-token-secret');
  }, 60_000);

  it('fails on the settings production cannot run with', async () => {
    const { code, output } = await doctor({
      ...healthy(),
      NODE_ENV: 'development',
      REDIS_URL: 'redis://127.0.0.1:6379', // the machine's: no persistence
      DISCORD_APPLICATION_ID: '1399999999999999999',
      ERROR_LOG_CHANNEL_ID: '1399999999999999998',
      TOTAL_SHARDS: '1',
    });
    expect(code).toBe(1);
    const failed = marks(output)
      .filter(([mark]) => mark === '✘')
      .map(([, name]) => name);
    expect(failed).toEqual(['NODE_ENV', 'Redis persistence', 'Discord application ID', 'Discord shards', 'error-log channel']);
    expect(output).toContain(`→ fix: set DISCORD_APPLICATION_ID=${BOT_ID}`);
    expect(output).toContain('→ fix: set TOTAL_SHARDS=auto or at least 2');
    expect(output).toMatch(/error-log channel +1399999999999999998: unknown channel \(404\)/);
  }, 60_000);

  it("checks the session starts the manager would spend: this host's shards only, and DISCORD_SESSION_START_FLOOR kept", async () => {
    const sessionStarts = (output: string) => marks(output).find(([, name]) => name === 'Discord session starts');
    // The simulator has 1000 starts left. A fleet of 1200 shards is more than that, but this host starts 4 of them.
    // TOTAL_SHARDS=auto is 2 shards, but they would leave 998 starts, under a floor of 999.
    const [share, floor] = await Promise.all([
      doctor({ ...healthy(), TOTAL_SHARDS: '1200', HOST_SHARDS: '0-3', DISCORD_SESSION_START_FLOOR: '100' }),
      doctor({ ...healthy(), DISCORD_SESSION_START_FLOOR: '999' }),
    ]);
    expect(sessionStarts(share.output)).toEqual(['✔', 'Discord session starts']);
    expect(share.output).toMatch(/this host starts 4 of 1200 shard\(s\), DISCORD_SESSION_START_FLOOR=100/);
    expect(sessionStarts(floor.output)).toEqual(['✘', 'Discord session starts']);
    expect(floor.output).toMatch(/starting would leave 998, under the floor/);
    expect(floor.output).toContain('→ fix: wait for the reset, or lower DISCORD_SESSION_START_FLOOR');
    expect(floor.code).toBe(1);
  }, 60_000);

  it('reports an invalid configuration in the table', async () => {
    const { code, output } = await doctor({ ...healthy(), REDIS_URL: 'http://not-redis', BOARD_PORT: 'x' });
    expect(code).toBe(1);
    expect(marks(output)).toEqual([['✘', 'configuration']]);
    expect(output).toContain('REDIS_URL');
    expect(output).toContain('BOARD_PORT');
  }, 30_000);
});
