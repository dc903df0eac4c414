import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REST } from '@discordjs/rest';
import { MessageFlags, type APIMessage } from 'discord.js';
import Redis from 'ioredis';
import pino from 'pino';
import { deployCommands } from '../../src/bot/deploy-commands';
import { formatAge, translator } from '../../src/bot/i18n';
import { globLiteral, scanKeys } from '../../src/cache/scan';
import { readClusterMetrics } from '../../src/cluster/cluster-metrics';
import { FleetMembership } from '../../src/cluster/fleet';
import { startClusterManager, type ClusterManagerHandle } from '../../src/cluster/manager';
import { MetricsRegistry } from '../../src/observability/metrics';
import { connectDatabase } from '../../src/connect';
import type { ModdyDatabase } from '../../src/db/api';
import { DEV_TOKEN, DiscordSimulator, SnowflakeFactory, shardForGuild, type SendInteractionOptions } from '../../src/simulator';
import { startDiscordLogWorker, startErrorPersistenceWorker, type RunningWorker } from '../../src/worker-roles';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { eventually } from '../helpers/eventually';
import { parseExposition } from '../helpers/prometheus';
import { TEST_CONFIG } from '../helpers/config';
import { productionBuild } from '../helpers/production-build';

/**
 * The whole bot against the simulator: the cluster manager spawns 2 clusters × 2 shards (built
 * JS, real child processes) on a database and a Redis prefix of this test's own, with the error
 * persistence and Discord-log workers running in this process.
 */

const TOTAL_SHARDS = 4;
const MANAGE_GUILD = String(1n << 5n);
const silent = pino({ level: 'silent' });
const en = translator('EN');
const fr = translator('FR');

const ids = new SnowflakeFactory(7);
/** A guild ID that lands on `shard` (Discord routes a guild by `(id >> 22) % shards`). */
function guildOnShard(shard: number): string {
  for (;;) {
    const id = ids.next(Date.UTC(2020, 0, 1) + Math.floor(Math.random() * 1e11));
    if (shardForGuild(id, TOTAL_SHARDS) === shard) return id;
  }
}

const GUILD_A = guildOnShard(0); // cluster 0
const GUILD_B = guildOnShard(3); // cluster 1
const HQ = guildOnShard(1);
const LOG_CHANNEL = ids.next();
const PUBLIC_GUILD = guildOnShard(2);
const PRIVATE_GUILD = guildOnShard(2);
const GUILD_OWNER = ids.next();
const OWNER = ids.next();
const ADMIN = ids.next();
const MEMBER = ids.next();
const DEV = ids.next();
const BANNED = ids.next();
const TARGET = ids.next();

describe('bot end to end: 2 clusters × 2 shards', () => {
  let clusterFile: string;
  let database: TestDatabase;
  let spoolDir: string;
  const prefix = testPrefix('e2e');
  let simulator: DiscordSimulator;
  let db: ModdyDatabase;
  let workers: RunningWorker[] = [];
  let manager: ClusterManagerHandle | undefined;

  beforeAll(async () => {
    // Process mode runs a file: the JS the clusters run.
    clusterFile = path.join(await productionBuild(), 'src/cluster/cluster-entry.js');
    database = await createTestDatabase({ migrate: false });
    spoolDir = await mkdtemp(path.join(tmpdir(), 'moddy-e2e-'));
    simulator = new DiscordSimulator({
      logger: silent,
      users: [GUILD_OWNER, OWNER, ADMIN, MEMBER, DEV, BANNED, TARGET].map((id, index) => ({ id, username: `user${index}` })),
      guilds: [
        { id: GUILD_A, name: 'Guild A', ownerId: GUILD_OWNER, memberCount: 120, features: ['COMMUNITY'] },
        { id: GUILD_B, name: 'Guild B', ownerId: GUILD_OWNER },
        { id: HQ, name: 'Moddy HQ', ownerId: GUILD_OWNER, channels: [{ id: LOG_CHANNEL, name: 'error-log' }] },
        { id: PUBLIC_GUILD, name: 'Public Place', botInGuild: false, discoverable: true, memberCount: 9000 },
        { id: PRIVATE_GUILD, name: 'Secret Club', botInGuild: false },
      ],
    });
    await simulator.start();

    const rest = new REST({ api: simulator.apiUrl, retries: 0 }).setToken(DEV_TOKEN);
    expect(await deployCommands({ token: DEV_TOKEN, applicationId: simulator.options.applicationId, apiUrl: simulator.apiUrl })).toBe(4);

    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      CACHE_PREFIX: prefix,
      BOT_OWNER_IDS: OWNER,
      ERROR_SPOOL_PATH: path.join(spoolDir, 'spool.ndjson'),
    };
    manager = await startClusterManager({
      file: clusterFile,
      token: DEV_TOKEN,
      apiUrl: simulator.apiUrl,
      databaseUrl: database.url,
      totalShards: TOTAL_SHARDS,
      shardsPerCluster: 2,
      spawnDelayMs: 0,
      env,
      // Short enough for the frozen-cluster test: restarted after ~3 missed heartbeats.
      heartbeat: { intervalMs: 500, maxMissed: 2 },
      stopTimeoutMs: 2000,
      logger: silent,
    });
    db = await connectDatabase({ config: TEST_CONFIG, databaseUrl: database.url, cache: false, poolSize: 2 });
    workers = [
      await startErrorPersistenceWorker({ config: TEST_CONFIG, db, redis: TEST_REDIS_URL, prefix, logger: silent }),
      await startDiscordLogWorker({ config: TEST_CONFIG, redis: TEST_REDIS_URL, prefix, rest, channelId: LOG_CHANNEL, logger: silent }),
    ];
    await simulator.waitForShards(TOTAL_SHARDS, 30_000);
    await manager.whenReady(30_000);
  }, 120_000);

  afterAll(async () => {
    await manager?.close();
    await Promise.all(workers.map((worker) => worker.close()));
    await simulator?.stop();
    await db?.close();
    const redis = new Redis(TEST_REDIS_URL);
    await scanKeys(redis, `${globLiteral(prefix)}:*`, async (keys) => void (await redis.unlink(...keys)));
    await redis.quit();
    await database?.drop();
    if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
  }, 60_000);

  async function send(
    options: Partial<SendInteractionOptions> & Pick<SendInteractionOptions, 'user' | 'command'>,
  ): Promise<{ content: string; ephemeral: boolean; deferred: boolean }> {
    const reply = await simulator.sendInteraction({ guildId: GUILD_A, ...options }).response(10_000);
    return {
      content: reply.message?.content ?? '',
      ephemeral: ((reply.message?.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
      deferred: reply.deferred,
    };
  }

  it('registers the commands and connects every shard of both clusters', () => {
    expect(
      simulator
        .registeredCommands()
        .global.map((command) => command.name)
        .sort(),
    ).toEqual(['config', 'dev', 'guild', 'user']);
    expect(simulator.connectedShards()).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    expect(manager?.readyClusters().sort()).toEqual([0, 1]);
  });

  it('gives the guilds the bot is in a row and a bot_join cache entry', async () => {
    for (const guildId of [GUILD_A, GUILD_B, HQ]) {
      const row = await eventually(() => db.getGuild(guildId));
      expect(row.deactivatedAt).toBeNull();
    }
    expect(await eventually(() => db.getCachedGuild(GUILD_B))).toMatchObject({ name: 'Guild B', updateSource: 'bot_join' });
  });

  it('/guild lookup: from the cache, from the public preview, and "not found"', async () => {
    const cached = await send({ user: MEMBER, command: 'guild', subcommand: 'lookup', options: { id: GUILD_A } });
    expect(cached.content).toContain('**Guild A**');
    expect(cached.content).toContain(en('guild.origin.bot_join'));
    expect(cached.deferred).toBe(false);

    const preview = await send({ user: MEMBER, guildId: GUILD_B, command: 'guild', subcommand: 'lookup', options: { id: PUBLIC_GUILD } });
    expect(preview.content).toContain('**Public Place**');
    expect(preview.content).toContain('9000');
    // Asking Discord may be slow: the reply was deferred first, then edited.
    expect(preview.deferred).toBe(true);
    expect(await db.getCachedGuild(PUBLIC_GUILD)).toMatchObject({ updateSource: 'api_call' });

    const hidden = await send({ user: MEMBER, command: 'guild', subcommand: 'lookup', options: { id: PRIVATE_GUILD } });
    expect(hidden.content).toBe(en('guild.lookup.notFound', { id: PRIVATE_GUILD }));
  });

  it('/user lookup: asks Discord once, then the shared Redis cache (from the other cluster too)', async () => {
    const first = await send({ user: MEMBER, command: 'user', subcommand: 'lookup', options: { id: TARGET } });
    expect(first.content).toContain('user6');
    const second = await send({ user: MEMBER, guildId: GUILD_B, command: 'user', subcommand: 'lookup', options: { id: TARGET } });
    // Fetched moments ago by the first lookup (within half a minute, however slow the machine).
    const recentAges = Array.from({ length: 30 }, (_, seconds) => formatAge(seconds * 1000, 'EN'));
    expect(recentAges.some((age) => second.content.includes(en('user.source.cache', { age })))).toBe(true);
    expect(simulator.requests().filter((request) => request.path === `/users/${TARGET}`)).toHaveLength(1);
  });

  it("creates a user's row on their first interaction", async () => {
    const row = await db.getUser(MEMBER);
    expect(row?.deactivatedAt).toBeNull();
    expect(Date.now() - (row?.createdAt.getTime() ?? 0)).toBeLessThan(60_000);
  });

  it("answers in the interaction's locale when nothing is stored", async () => {
    const reply = await send({ user: ADMIN, locale: 'fr', command: 'guild', subcommand: 'lookup', options: { id: PRIVATE_GUILD } });
    expect(reply.content).toBe(fr('guild.lookup.notFound', { id: PRIVATE_GUILD }));
  });

  it('/config: refused without Manage Server, then set and shown', async () => {
    expect(await send({ user: MEMBER, command: 'config', subcommand: 'prefix', options: { value: '?' } })).toMatchObject({
      content: en('refusal.manageGuild'),
      ephemeral: true,
    });
    expect(
      (await send({ user: ADMIN, permissions: MANAGE_GUILD, command: 'config', subcommand: 'prefix', options: { value: '?!' } })).content,
    ).toBe(en('config.prefix.set', { prefix: '?!' }));
    expect((await send({ user: ADMIN, permissions: MANAGE_GUILD, command: 'config', subcommand: 'show' })).content).toContain('`?!`');
    expect((await db.getGuild(GUILD_A))?.data).toEqual({ config: { prefix: '?!' } });
  });

  it('/dev: refused to others; owners grant DEVELOPER with a reason, and developers get /dev stats', async () => {
    expect(await send({ user: MEMBER, command: 'dev', subcommand: 'stats' })).toMatchObject({
      content: en('refusal.developer'),
      ephemeral: true,
    });
    await send({
      user: OWNER,
      command: 'dev',
      subcommandGroup: 'attribute',
      subcommand: 'set',
      options: { target: 'user', id: DEV, name: 'DEVELOPER', reason: 'new hire' },
    });
    expect((await db.getAttributeHistory('user', DEV)).at(-1)).toMatchObject({
      attributeName: 'DEVELOPER',
      changedBy: OWNER,
      reason: 'new hire',
    });
    // A host of the fleet registered in Redis (as manager-cli does): /dev stats shows the totals and a line per host.
    const fleetRedis = new Redis(TEST_REDIS_URL);
    const host = new FleetMembership({ redis: fleetRedis, prefix, hostId: 'vps1', logger: silent });
    try {
      await host.agreeTotalShards(8, async () => 8);
      await host.claim([0, 1, 2, 3]);
      host.report(
        () => ({
          hostId: 'vps1',
          shards: [0, 1, 2, 3],
          connectedShards: [0, 1, 2],
          readyClusters: 2,
          totalClusters: 2,
          guilds: 1234,
          databaseConnections: 21,
          version: '1.2.3',
          pid: 1,
          startedAt: 0,
        }),
        () => undefined,
      );
      await host.beat();
      const stats = await send({ user: DEV, guildId: GUILD_B, command: 'dev', subcommand: 'stats' });
      expect(stats.ephemeral).toBe(true);
      expect(stats.content).toMatch(/^Users: \d+/);
      expect(stats.content).toContain(
        `\n${en('dev.stats.fleet', { alive: 1, hosts: 1, guilds: 1234, connected: 3, total: 8, unowned: 4 })}\n${en('dev.stats.host', { host: 'vps1', shards: '0-3', guilds: 1234, ready: 2, clusters: 2, connected: 3, version: '1.2.3' })}`,
      );
    } finally {
      await host.close();
      await fleetRedis.quit();
    }
    const listed = await send({
      user: DEV,
      command: 'dev',
      subcommandGroup: 'attribute',
      subcommand: 'list',
      options: { target: 'user', id: DEV },
    });
    expect(listed.content).toContain('DEVELOPER');
  });

  it("a change made through one cluster is seen by the other: the guild's language", async () => {
    expect((await send({ user: MEMBER, command: 'guild', subcommand: 'lookup', options: { id: PRIVATE_GUILD } })).content).toBe(
      en('guild.lookup.notFound', { id: PRIVATE_GUILD }),
    );
    // Guild A lives on cluster 0; the change goes through cluster 1 (an interaction in guild B).
    await send({
      user: OWNER,
      guildId: GUILD_B,
      command: 'dev',
      subcommandGroup: 'attribute',
      subcommand: 'set',
      options: { target: 'guild', id: GUILD_A, name: 'LANG', value: 'FR', reason: 'French community' },
    });
    expect((await send({ user: MEMBER, command: 'guild', subcommand: 'lookup', options: { id: PRIVATE_GUILD } })).content).toBe(
      fr('guild.lookup.notFound', { id: PRIVATE_GUILD }),
    );
  });

  it('/dev blacklist through one cluster stops the user on the other at once', async () => {
    await send({ user: BANNED, command: 'guild', subcommand: 'lookup', options: { id: GUILD_A } });
    await send({ user: OWNER, guildId: GUILD_B, command: 'dev', subcommand: 'blacklist', options: { user: BANNED, reason: 'spam' } });
    const refused = await send({ user: BANNED, command: 'guild', subcommand: 'lookup', options: { id: GUILD_A } });
    expect(refused).toMatchObject({ content: fr('refusal.blacklisted'), ephemeral: true });
  });

  it('an unexpected failure: the user gets a code, the worker logs it to Discord and stores it, /dev error shows it', async () => {
    const restore = simulator.failRequests({ method: 'GET', path: `/users/${GUILD_OWNER}`, status: 500 });
    let content: string;
    try {
      ({ content } = await send({ user: ADMIN, guildId: GUILD_B, command: 'user', subcommand: 'lookup', options: { id: GUILD_OWNER } }));
    } finally {
      restore();
    }
    const code = /`([0-9A-Z]{8})`/.exec(content)?.[1];
    expect(code).toBeDefined();
    expect(content).toBe(en('error.unexpected', { code: code ?? '' }));

    const logged: APIMessage = await simulator.waitForMessage(
      LOG_CHANNEL,
      (message) => JSON.stringify(message.embeds).includes(code ?? '?'),
      15_000,
    );
    expect(JSON.stringify(logged.embeds)).toContain('/user lookup');

    const stored = await eventually(() => db.getError(code ?? ''), 15_000);
    expect(stored).toMatchObject({ command: 'user lookup', userId: ADMIN, guildId: GUILD_B });

    // Typed in lower case, with an O for a 0 and an l for a 1: still found.
    const typed = (code ?? '').toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l');
    const shown = await send({ user: OWNER, guildId: GUILD_B, command: 'dev', subcommand: 'error', options: { code: typed } });
    expect(shown.content).toContain(`Error \`${code}\``);
    expect(shown.content).toContain(stored.errorType);
    expect(shown.content).toContain('user lookup');
  });

  it("the manager reads every cluster's interaction, cache, error and process metrics over IPC, labelled by cluster", async () => {
    const snapshots = await readClusterMetrics(manager!.manager);
    expect(snapshots.map((snapshot) => snapshot.cluster).sort()).toEqual(['0', '1']);
    const metrics = new MetricsRegistry('test', { processMetrics: false });
    metrics.aggregate(async () => snapshots);
    const exposition = parseExposition(await metrics.text());
    const total = (family: string, labels: Record<string, string>) =>
      exposition.find(family, labels).reduce((sum, sample) => sum + sample.value, 0);
    expect(total('moddy_interactions_total', { command: 'guild', outcome: 'ok' })).toBeGreaterThan(0);
    expect(total('moddy_interactions_total', { outcome: 'error' })).toBeGreaterThan(0);
    expect(
      exposition
        .find('moddy_command_duration_seconds', { command: 'dev' })
        .some((sample) => sample.name.endsWith('_count') && sample.value > 0),
    ).toBe(true);
    expect(
      exposition
        .find('moddy_cache_hits_total', { tier: 'local' })
        .map((sample) => sample.labels.cluster)
        .sort(),
    ).toEqual(['0', '1']);
    // The failing /user lookup above was captured by the tracker: counted.
    expect(total('moddy_errors_captured_total', {})).toBeGreaterThan(0);
    expect(
      exposition
        .find('moddy_process_resident_memory_bytes')
        .map((sample) => sample.labels.cluster)
        .sort(),
    ).toEqual(['0', '1']);
  });

  /** The process running a cluster now. */
  const clusterProcess = (id: number): ChildProcess => {
    const child = manager?.manager.clusters.get(id)?.thread?.process as ChildProcess | undefined;
    if (!child) throw new Error(`cluster ${id} has no process`);
    return child;
  };

  it('a crashed cluster is respawned and answers again', async () => {
    const crashed = clusterProcess(0);
    crashed.kill('SIGKILL');
    await eventually(async () => !manager?.readyClusters().includes(0));
    await manager?.whenReady(30_000);
    expect(clusterProcess(0).pid).not.toBe(crashed.pid);
    expect((await send({ user: ADMIN, command: 'guild', subcommand: 'lookup', options: { id: PRIVATE_GUILD } })).content).toBe(
      fr('guild.lookup.notFound', { id: PRIVATE_GUILD }),
    );
  });

  it('a frozen cluster misses its heartbeats: it is replaced, and the frozen process is killed', async () => {
    const frozen = clusterProcess(1);
    frozen.kill('SIGSTOP');
    // A stopped process never handles the manager's SIGTERM: the reaper SIGKILLs it.
    await eventually(async () => frozen.signalCode === 'SIGKILL', 20_000);
    await manager?.whenReady(30_000);
    expect(clusterProcess(1).pid).not.toBe(frozen.pid);
    expect(
      (await send({ user: ADMIN, guildId: GUILD_B, command: 'guild', subcommand: 'lookup', options: { id: PRIVATE_GUILD } })).content,
    ).toBe(en('guild.lookup.notFound', { id: PRIVATE_GUILD }));
  });

  it('stops every cluster cleanly: clients destroyed, processes exited', async () => {
    const children = [clusterProcess(0), clusterProcess(1)];
    await manager?.close();
    expect(children.map((child) => [child.exitCode, child.signalCode])).toEqual(children.map(() => [0, null]));
    await eventually(async () => simulator.connectedShards().length === 0);
  });
});
