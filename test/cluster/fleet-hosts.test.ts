import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import pino from 'pino';
import { deployCommands } from '../../src/bot/deploy-commands';
import { translator } from '../../src/bot/i18n';
import { FleetMembership, type FleetView } from '../../src/cluster/fleet';
import {
  DEV_TOKEN,
  DiscordSimulator,
  SnowflakeFactory,
  shardForGuild,
  type SendInteractionOptions,
  type SessionStart,
} from '../../src/simulator';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { productionBuild } from '../helpers/production-build';
import { TEST_REDIS_URL, deleteTestKeys, testPrefix } from '../helpers/services';

/**
 * Issue #13: two hosts, each a real `manager-cli` process owning 4 of the fleet's 8 shards, against
 * one simulator and one Redis: every shard connects once, the two hosts starting together keep to
 * the identify pacing (max_concurrency 2: at most one IDENTIFY per bucket per window), a write
 * through a shard of host A is seen by a shard of host B, the fleet view lists both hosts with
 * their guilds, a third host claiming shards of a live host is refused, and a killed host's shards
 * show as unowned until it is restarted and takes them back. Identify window 1 s on both sides;
 * leases of 3 s.
 */
const TOTAL_SHARDS = 8;
const IDENTIFY_WINDOW_MS = 1000;
const MAX_CONCURRENCY = 2;
const silent = pino({ level: 'silent' });
const en = translator('EN');
const fr = translator('FR');

const ids = new SnowflakeFactory(13);
/** A guild ID that lands on `shard` (Discord routes a guild by `(id >> 22) % shards`). */
function guildOnShard(shard: number): string {
  for (;;) {
    const id = ids.next(Date.UTC(2020, 0, 1) + Math.floor(Math.random() * 1e11));
    if (shardForGuild(id, TOTAL_SHARDS) === shard) return id;
  }
}
const GUILD_A = guildOnShard(1); // host A (shards 0-3)
const GUILD_A2 = guildOnShard(2); // host A
const GUILD_B = guildOnShard(5); // host B (shards 4-7)
const ELSEWHERE = guildOnShard(6); // the bot is not in it: looking it up answers "not found" in the guild's language
const OWNER = ids.next();
const MEMBER = ids.next();

/**
 * The most IDENTIFYs let through within one window (less the simulator's 10 % slack): per bucket
 * (`shard_id % max_concurrency`) and for the whole bot.
 */
function busiestWindow(starts: readonly SessionStart[]): { perBucket: number; overall: number } {
  const span = IDENTIFY_WINDOW_MS * 0.9;
  let perBucket = 0;
  let overall = 0;
  for (const start of starts) {
    const within = starts.filter((other) => other.at >= start.at && other.at - start.at < span);
    overall = Math.max(overall, within.length);
    perBucket = Math.max(perBucket, within.filter((other) => other.bucket === start.bucket).length);
  }
  return { perBucket, overall };
}

describe('two hosts, 4 of 8 shards each', () => {
  let managerCli: string;
  let database: TestDatabase;
  let workDir: string;
  let simulator: DiscordSimulator;
  let redis: Redis;
  let observer: FleetMembership;
  const prefix = testPrefix('fleet_hosts');
  const running = new Set<ChildProcess>();

  beforeAll(async () => {
    managerCli = path.join(await productionBuild(), 'src/cluster/manager-cli.js');
    database = await createTestDatabase({ migrate: true });
    workDir = await mkdtemp(path.join(tmpdir(), 'moddy-fleet-'));
    simulator = new DiscordSimulator({
      logger: silent,
      maxConcurrency: MAX_CONCURRENCY,
      identifyWindowMs: IDENTIFY_WINDOW_MS,
      users: [OWNER, MEMBER].map((id, index) => ({ id, username: `user${index}` })),
      guilds: [
        { id: GUILD_A, name: 'Guild A' },
        { id: GUILD_A2, name: 'Guild A2' },
        { id: GUILD_B, name: 'Guild B' },
        { id: ELSEWHERE, name: 'Elsewhere', botInGuild: false },
      ],
    });
    await simulator.start();
    await deployCommands({ token: DEV_TOKEN, applicationId: simulator.options.applicationId, apiUrl: simulator.apiUrl });
    redis = new Redis(TEST_REDIS_URL);
    // Reads the fleet as any host's /ready does; never claims.
    observer = new FleetMembership({ redis, prefix, hostId: 'observer', logger: silent });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...running].map((child) => stop(child, 'SIGTERM')));
    await simulator?.stop();
    await redis?.quit();
    await deleteTestKeys(prefix);
    await database?.drop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 60_000);

  /** Starts a host: the bot's real entry point with this share; its stderr is kept. */
  function startHost(hostId: string, hostShards: string): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
    const child = spawn(process.execPath, [managerCli], {
      cwd: workDir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        LOG_FORMAT: 'json',
        DISCORD_TOKEN: DEV_TOKEN,
        DISCORD_API_URL: simulator.apiUrl,
        DISCORD_IDENTIFY_WINDOW_MS: String(IDENTIFY_WINDOW_MS),
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL,
        CACHE_PREFIX: prefix,
        TOTAL_SHARDS: String(TOTAL_SHARDS),
        HOST_SHARDS: hostShards,
        HOST_ID: hostId,
        BOT_OWNER_IDS: OWNER,
        SHARDS_PER_CLUSTER: '2',
        CLUSTER_SPAWN_DELAY_MS: '0',
        CLUSTER_REPORT_INTERVAL_MS: '300',
        FLEET_LEASE_SECONDS: '3',
        HEALTH_PORT: '0',
        ERROR_SPOOL_PATH: path.join(workDir, `spool-${hostId}.ndjson`),
      },
    });
    running.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    void exited.then(() => running.delete(child));
    return { child, stderr: () => stderr, exited };
  }

  function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** The fleet view once `matches` holds. */
  function fleetWhen(matches: (view: FleetView) => boolean, timeoutMs = 60_000): Promise<FleetView> {
    return eventually(
      async () => {
        const view = await observer.view();
        return matches(view) ? view : null;
      },
      timeoutMs,
      100,
    );
  }

  const connectedIds = () =>
    simulator
      .connectedShards()
      .map(([shard]) => shard)
      .sort((a, b) => a - b);

  /** A slash command in `guildId`, answered by the shard (and so the host) that guild lands on. */
  async function send(guildId: string, user: string, command: Omit<SendInteractionOptions, 'guildId' | 'user'>): Promise<string> {
    const reply = await simulator.sendInteraction({ ...command, guildId, user }).response(30_000);
    return reply.message?.content ?? '';
  }

  it('runs every shard once across two hosts at the pace Discord allows, shares writes, refuses a duplicate claim, and gives a killed host its shards back', async () => {
    const hostA = startHost('host-a', '0-3');
    const hostB = startHost('host-b', '4-7');
    await simulator.waitForShards(TOTAL_SHARDS, 120_000).catch((error: Error) => {
      throw new Error(`${error.message}\nhost-a: ${hostA.stderr()}\nhost-b: ${hostB.stderr()}`);
    });
    expect(connectedIds()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const { starts, refused } = simulator.identifyLog();
    expect(starts.map((start) => start.shardId).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Both hosts at once, through one Redis: one IDENTIFY per bucket per window, max_concurrency in all.
    expect(refused).toEqual([]);
    expect(busiestWindow(starts)).toEqual({ perBucket: 1, overall: MAX_CONCURRENCY });

    const both = await fleetWhen(
      (view) => view.shards.connected === TOTAL_SHARDS && view.guilds === 3 && view.hosts.every((host) => host.readyClusters === 2),
    );
    expect(both.totalShards).toBe(TOTAL_SHARDS);
    expect(both.hosts.map((host) => [host.hostId, host.alive, host.shards, host.guilds])).toEqual([
      ['host-a', true, [0, 1, 2, 3], 2],
      ['host-b', true, [4, 5, 6, 7], 1],
    ]);

    // Host B's shard reads guild B's language (cached there); host A's shard changes it; host B sees the change.
    const lookup = { command: 'guild', subcommand: 'lookup', options: { id: ELSEWHERE } } as const;
    expect(await send(GUILD_B, MEMBER, lookup)).toBe(en('guild.lookup.notFound', { id: ELSEWHERE }));
    await send(GUILD_A, OWNER, {
      command: 'dev',
      subcommandGroup: 'attribute',
      subcommand: 'set',
      options: { target: 'guild', id: GUILD_B, name: 'LANG', value: 'FR', reason: 'French community' },
    });
    expect(await send(GUILD_B, MEMBER, lookup)).toBe(fr('guild.lookup.notFound', { id: ELSEWHERE }));

    // A third host given shards of both live hosts is refused at start, naming the holders.
    const intruder = startHost('host-c', '2-5');
    expect(await intruder.exited).toBe(1);
    expect(intruder.stderr()).toMatch(/shards 2, 3 by host host-a; shards 4, 5 by host host-b/);
    expect(simulator.identifyLog().starts).toHaveLength(TOTAL_SHARDS);

    // Host A dies: its shards leave the gateway and, once its lease runs out, show as unowned.
    await stop(hostA.child, 'SIGKILL');
    await eventually(() => connectedIds().join() === '4,5,6,7', 30_000, 100);
    const down = await fleetWhen((view) => view.shards.unowned === 4);
    expect(down.shards).toEqual({ connected: 4, disconnected: 0, unowned: 4 });
    expect(down.hosts.find((host) => host.hostId === 'host-a')?.alive).toBe(false);

    // Restarted, it takes them back.
    startHost('host-a', '0-3');
    await eventually(() => connectedIds().length === TOTAL_SHARDS, 120_000, 100);
    const back = await fleetWhen((view) => view.shards.connected === TOTAL_SHARDS && view.hosts.every((host) => host.alive));
    expect(back.shards).toEqual({ connected: 8, disconnected: 0, unowned: 0 });
  }, 400_000);
});
