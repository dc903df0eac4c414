import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Child } from 'discord-hybrid-sharding';
import pino from 'pino';
import { startClusterManager, type ClusterManagerHandle } from '../../src/cluster/manager';
import { RespawnBackoff } from '../../src/cluster/respawn-backoff';
import { eventually } from '../helpers/eventually';

/** A cluster whose process dies at once, as one does when its database or token is wrong at start. */
const CRASHING_CLUSTER = 'process.exit(1);\n';

describe('cluster manager: clusters that crash', () => {
  let dir: string;
  let handle: ClusterManagerHandle | undefined;
  const lines: { msg: string; cluster?: number; delayMs?: number }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'moddy-crash-'));
    const file = path.join(dir, 'crashing-cluster.js');
    await writeFile(file, CRASHING_CLUSTER);
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    });
    handle = await startClusterManager({
      file,
      token: 'token',
      apiUrl: 'http://127.0.0.1:9/api',
      totalShards: 2,
      maxConcurrency: 1,
      shardsPerCluster: 1,
      spawnDelayMs: 0,
      respawnBackoff: { baseMs: 20, maxMs: 80 },
      logger: pino({ level: 'info' }, stream),
    });
  });

  afterAll(async () => {
    await handle?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const respawnDelays = (cluster: number): number[] =>
    lines.filter((line) => line.msg === 'cluster crashed: respawning it' && line.cluster === cluster).map((line) => line.delayMs ?? -1);

  it('spawns every cluster even when the first dies before it is ready, and keeps respawning each with a doubling wait', async () => {
    // hybrid-sharding gave up after 3 restarts (immediate ones), and its spawn queue stopped at the first death.
    await eventually(() => respawnDelays(0).length >= 4 && respawnDelays(1).length >= 4, 30_000, 10);
    for (const cluster of [0, 1]) expect(respawnDelays(cluster).slice(0, 4)).toEqual([20, 40, 80, 80]);
  });

  it('respawns nothing once closed', async () => {
    await handle?.close();
    const spawned = lines.filter((line) => line.msg === 'cluster spawned').length;
    // Longer than any pending respawn wait: a timer left behind would have spawned by then.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines.filter((line) => line.msg === 'cluster spawned').length).toBe(spawned);
  });
});

describe('cluster manager: a message to a cluster whose IPC channel closed', () => {
  it('does not end the manager: the failed send is observed (hybrid-sharding drops the promise of object messages, its heartbeats)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'moddy-channel-'));
    const file = path.join(dir, 'idle-cluster.js');
    await writeFile(file, 'setInterval(() => undefined, 1000);\n');
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    const handle = await startClusterManager({
      file,
      token: 'token',
      apiUrl: 'http://127.0.0.1:9/api',
      totalShards: 1,
      maxConcurrency: 1,
      shardsPerCluster: 1,
      spawnDelayMs: 0,
      logger: pino({ level: 'silent' }),
    });
    try {
      const cluster = handle.manager.clusters.get(0);
      await eventually(() => cluster?.thread instanceof Child && cluster.thread.process?.connected === true, 10_000, 10);
      (cluster?.thread as Child).process?.disconnect();
      void cluster?.send({ alive: true }); // what the heartbeat does on its interval
      await expect((cluster?.thread as Child).send({ alive: true })).rejects.toThrow('Channel closed'); // callers still see it
      await new Promise((resolve) => setTimeout(resolve, 50)); // rejections are reported after a macrotask
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
      await handle.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('RespawnBackoff', () => {
  it('doubles the wait at each crash in a row, per cluster, up to the maximum', () => {
    const backoff = new RespawnBackoff({ baseMs: 100, maxMs: 1000 });
    expect([0, 0, 0, 0, 0].map(() => backoff.crashed(0, 0))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoff.crashed(1, 0)).toBe(100);
  });

  it('starts over for a cluster that stayed ready as long as the maximum wait, not for one that crashed sooner', () => {
    const backoff = new RespawnBackoff({ baseMs: 100, maxMs: 1000 });
    backoff.crashed(0, 0);
    backoff.crashed(0, 0);
    backoff.ready(0, 5000);
    expect(backoff.crashed(0, 5999)).toBe(400);
    backoff.ready(0, 10_000);
    expect(backoff.crashed(0, 11_000)).toBe(100);
  });
});
