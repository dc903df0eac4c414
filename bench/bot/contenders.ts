import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startClusterManager } from '../../src/cluster/manager';
import { getConfig } from '../../src/config';
import { redisEnvironment, redisTargetFromConfig } from '../../src/redis';
import { DEV_TOKEN, type DiscordSimulator } from '../../src/simulator';
import { withClient } from '../../src/db/migrate';
import { createScratchDatabase, deleteRedisPrefix } from '../scratch';
import { forkUntilReady, stopChild } from './processes';

/** A bot running against the simulator: its processes (one per cluster) and how to stop it. */
export interface Contender {
  /** The cluster processes, by cluster ID. */
  pids(): number[];
  stop(): Promise<void>;
}

export interface ContenderOptions {
  simulator: DiscordSimulator;
  shardCount: number;
  clusters: number;
  /** Guilds the bot is in: Moddy is ready once each has its row. */
  guildCount: number;
}

const READY_TIMEOUT_MS = 10 * 60_000;
/** Both sides identify fast: the simulator's pacing window is shortened to this for the bench. */
export const BENCH_IDENTIFY_WINDOW_MS = 100;

/** Cluster `c` of `clusters` runs shards `c·n … c·n + n - 1`, as hybrid-sharding assigns them. */
function shardsOf(cluster: number, shardCount: number, clusters: number): number[] {
  const perCluster = Math.ceil(shardCount / clusters);
  return Array.from({ length: perCluster }, (_, index) => cluster * perCluster + index).filter((shard) => shard < shardCount);
}

/** The bare discord.js baseline (`bare-client.ts`), one process per cluster, answering `reply`. */
export async function startBare(options: ContenderOptions, reply: string): Promise<Contender> {
  const file = path.join(__dirname, 'bare-client.js');
  const children: ChildProcess[] = [];
  try {
    for (let cluster = 0; cluster < options.clusters; cluster++) {
      const env = {
        BENCH_API_URL: options.simulator.apiUrl,
        BENCH_TOKEN: DEV_TOKEN,
        BENCH_SHARDS: shardsOf(cluster, options.shardCount, options.clusters).join(','),
        BENCH_SHARD_COUNT: String(options.shardCount),
        BENCH_REPLY: reply,
      };
      children.push(await forkUntilReady(file, env, READY_TIMEOUT_MS));
    }
  } catch (error) {
    await Promise.all(children.map((child) => stopChild(child)));
    throw error;
  }
  return {
    pids: () => children.map((child) => child.pid ?? 0),
    stop: async () => void (await Promise.all(children.map((child) => stopChild(child)))),
  };
}

/**
 * The real Moddy: the cluster manager (in this process, as `manager-cli` would run it) spawning
 * its cluster processes, on a scratch database and a Redis prefix of the bench's own. Ready once
 * every cluster is and every guild has its row (the start-up reconciliation is over).
 */
export async function startModdy(options: ContenderOptions): Promise<Contender> {
  const config = getConfig();
  const database = await createScratchDatabase('bot');
  const prefix = `moddy_bench_bot_${process.pid}`;
  const spool = await mkdtemp(path.join(tmpdir(), 'moddy-bench-bot-'));
  const cleanUp = async (): Promise<void> => {
    await deleteRedisPrefix(prefix);
    await database.drop();
    await rm(spool, { recursive: true, force: true });
  };
  let manager: Awaited<ReturnType<typeof startClusterManager>> | undefined;
  try {
    manager = await startClusterManager({
      file: path.join(__dirname, '..', '..', 'src', 'cluster', 'cluster-entry.js'),
      token: DEV_TOKEN,
      apiUrl: options.simulator.apiUrl,
      totalShards: options.shardCount,
      shardsPerCluster: Math.ceil(options.shardCount / options.clusters),
      spawnDelayMs: 0,
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        DATABASE_URL: database.url,
        ...redisEnvironment(redisTargetFromConfig(config)),
        CACHE_PREFIX: prefix,
        ERROR_SPOOL_PATH: path.join(spool, 'spool.ndjson'),
        DISCORD_IDENTIFY_WINDOW_MS: String(BENCH_IDENTIFY_WINDOW_MS),
      },
      logger: pino({ level: 'warn' }),
    });
    await manager.whenReady(READY_TIMEOUT_MS);
    await waitForGuildRows(database.url, options.guildCount);
  } catch (error) {
    await manager?.close();
    await cleanUp();
    throw error;
  }
  const running = manager;
  return {
    pids: () =>
      [...running.manager.clusters.values()]
        .sort((a, b) => a.id - b.id)
        .map((cluster) => (cluster.thread?.process as ChildProcess | undefined)?.pid ?? 0),
    stop: async () => {
      await running.close();
      await cleanUp();
    },
  };
}

/** The clusters write every guild's row after `clientReady`; interactions are measured once that is done. */
async function waitForGuildRows(url: string, guildCount: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const rows = await withClient(url, async (client) => {
      const result = await client.query<{ count: number }>('SELECT count(*)::int AS count FROM guilds_cache');
      return result.rows[0]?.count ?? 0;
    });
    if (rows >= guildCount) return;
    if (Date.now() > deadline) throw new Error(`only ${rows} of ${guildCount} guild rows after ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
