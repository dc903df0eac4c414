import Redis from 'ioredis';
import pino from 'pino';
import { fleetCheck } from '../../src/cluster/manager-endpoint';
import { MetricsRegistry } from '../../src/observability/metrics';
import { parseExposition } from '../helpers/prometheus';
import { FleetMembership, FleetSizeMismatchError, ShardClaimConflictError, type FleetView, type HostStatus } from '../../src/cluster/fleet';
import { startHealthServer } from '../../src/observability/health-server';
import { TEST_REDIS_URL, deleteTestKeys, testPrefix } from '../helpers/services';
import { eventually } from '../helpers/eventually';

const silent = pino({ level: 'silent' });

describe('fleet membership through Redis', () => {
  let redis: Redis;
  let prefix: string;
  const members: FleetMembership[] = [];

  function member(hostId: string, leaseMs = 15_000, connection = redis): FleetMembership {
    const membership = new FleetMembership({ redis: connection, prefix, hostId, leaseMs, beatMs: Math.floor(leaseMs / 3), logger: silent });
    members.push(membership);
    return membership;
  }

  function status(hostId: string, shards: number[], connectedShards = shards, guilds = 0): () => HostStatus {
    return () => ({
      hostId,
      shards,
      connectedShards,
      readyClusters: 1,
      totalClusters: 1,
      guilds,
      databaseConnections: 11,
      version: 'test',
      pid: process.pid,
      startedAt: 0,
    });
  }

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });

  beforeEach(() => {
    prefix = testPrefix('fleet');
  });

  afterEach(async () => {
    // A "dead" host's connection is closed: its close fails, as a dead process's would never run.
    for (const membership of members.splice(0)) await membership.close().catch(() => undefined);
    await deleteTestKeys(prefix);
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('agrees on one fleet size: hosts starting together get one figure, later hosts read it without asking Discord', async () => {
    // Hosts racing at start may each ask; SET NX keeps one answer for all.
    const answers = [8, 9, 10];
    const totals = await Promise.all(
      ['a', 'b', 'c'].map((host, index) => member(host).agreeTotalShards('auto', async () => answers[index]!)),
    );
    expect(new Set(totals).size).toBe(1);
    const agreed = totals[0]!;
    expect(answers).toContain(agreed);
    // A later host whose Discord would now say 16 joins the agreed figure, without asking.
    const recommend = jest.fn(async () => 16);
    await expect(member('d').agreeTotalShards('auto', recommend)).resolves.toBe(agreed);
    expect(recommend).not.toHaveBeenCalled();
  });

  it('refuses a numeric TOTAL_SHARDS that differs from the fleet agreed one', async () => {
    await member('a').agreeTotalShards(8, async () => 0);
    await expect(member('b').agreeTotalShards(8, async () => 0)).resolves.toBe(8);
    const mismatch = member('c').agreeTotalShards(12, async () => 0);
    await expect(mismatch).rejects.toBeInstanceOf(FleetSizeMismatchError);
    await expect(member('c').agreeTotalShards(12, async () => 0)).rejects.toThrow(/TOTAL_SHARDS=12 but the running fleet agreed on 8/);
  });

  it("refuses a claim on a live host's shards, naming it, and writes nothing", async () => {
    await member('host-a').claim([0, 1, 2, 3]);
    const b = member('host-b');
    const attempt = b.claim([3, 4, 5]);
    await expect(attempt).rejects.toBeInstanceOf(ShardClaimConflictError);
    await expect(b.claim([3, 4, 5])).rejects.toThrow(/shards 3 by host host-a/);
    expect(await redis.exists(`${prefix}:{fleet}:shard:4`)).toBe(0);
    await expect(member('host-c').claim([4, 5, 6, 7])).resolves.toBeUndefined();
  });

  it("lets a newer manager of the same host take its claims over (pm2 reload), and the older one's close keeps them", async () => {
    // Both in the same millisecond of the same process (the clock stands still): their leases must still be told apart.
    const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now());
    try {
      const older = member('host-a');
      await older.claim([0, 1]);
      older.report(status('host-a', [0, 1]), () => undefined);
      await older.beat();
      const newer = member('host-a');
      await newer.claim([0, 1]);
      newer.report(status('host-a', [0, 1]), () => undefined);
      await newer.beat();
      await older.close();
      await expect(member('host-b').claim([0])).rejects.toBeInstanceOf(ShardClaimConflictError);
      expect((await newer.view()).hosts.map((host) => [host.hostId, host.alive])).toEqual([['host-a', true]]);
    } finally {
      clock.mockRestore();
    }
  });

  it("frees a dead host's shards when its lease runs out; the host that comes back takes what is free", async () => {
    const deadConnection = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    await deadConnection.connect();
    const dead = member('host-a', 600, deadConnection);
    await dead.claim([0, 1]);
    dead.report(status('host-a', [0, 1]), () => undefined);
    await dead.beat();
    // The host dies: its beats no longer reach Redis, nothing is given back.
    deadConnection.disconnect();
    const survivor = member('host-b', 600);
    await survivor.claim([2, 3]);
    survivor.report(status('host-b', [2, 3]), () => undefined);
    await redis.set(`${prefix}:{fleet}:total-shards`, '4');
    const view = await eventually(async () => {
      const current = await survivor.view();
      return current.hosts.some((host) => host.hostId === 'host-a' && !host.alive) ? current : null;
    }, 5000);
    expect(view.shards).toEqual({ connected: 2, disconnected: 0, unowned: 2 });
    expect(view.hosts.find((host) => host.hostId === 'host-b')).toMatchObject({ alive: true, shards: [2, 3] });
    const back = member('host-a', 600);
    await back.claim([0, 1]);
  });

  it('tells a stalled host which of its shards another host took after its lease expired', async () => {
    const stalled = member('host-a', 300);
    await stalled.claim([0, 1]);
    const lost = jest.fn();
    stalled.report(status('host-a', [0, 1]), lost);
    // Its lease runs out as if it had stalled, and another host claims shard 1.
    await redis.del(`${prefix}:{fleet}:shard:1`);
    await member('host-b', 300).claim([1]);
    await stalled.beat();
    expect(lost).toHaveBeenCalledWith([1], ['host-b']);
  });

  it('reports the fleet with its guilds in /metrics, /health and the /ready JSON, never as a failure', async () => {
    await member('observer').agreeTotalShards(6, async () => 0);
    const a = member('host-a');
    await a.claim([0, 1]);
    a.report(status('host-a', [0, 1], [0], 120), () => undefined);
    await a.beat();
    const b = member('host-b');
    await b.claim([2, 3]);
    b.report(status('host-b', [2, 3], [2, 3], 80), () => undefined);
    await b.beat();
    const metrics = new MetricsRegistry('bot', { processMetrics: false });
    metrics.fleet(() => a.view());
    const exposition = parseExposition(await metrics.text());
    expect(exposition.find('moddy_fleet_hosts').map((sample) => sample.value)).toEqual([2]);
    const byState = Object.fromEntries(exposition.find('moddy_fleet_shards').map((sample) => [sample.labels.state, sample.value]));
    expect(byState).toEqual({ connected: 3, disconnected: 1, unowned: 2 });
    const guilds = Object.fromEntries(exposition.find('moddy_fleet_guilds').map((sample) => [sample.labels.host, sample.value]));
    expect(guilds).toEqual({ 'host-a': 120, 'host-b': 80 });
    const ready = await fleetCheck(a)();
    expect(ready.ok).toBe(true);
    expect(ready.detail).toMatchObject({
      totalShards: 6,
      guilds: 200,
      hosts: [
        { hostId: 'host-a', alive: true, shards: [0, 1], connectedShards: [0], guilds: 120 },
        { hostId: 'host-b', alive: true, shards: [2, 3], connectedShards: [2, 3], guilds: 80 },
      ],
    });

    const server = await startHealthServer({ port: 0, metrics, checks: {}, info: { fleet: fleetCheck(a) } });
    try {
      const health = (await (await fetch(`${server.url}/health`)).json()) as { ok: boolean; fleet: FleetView };
      expect(health.ok).toBe(true);
      expect(health.fleet.guilds).toBe(200);
      expect(health.fleet.hosts.map((host) => [host.hostId, host.guilds])).toEqual([
        ['host-a', 120],
        ['host-b', 80],
      ]);
      // A dead host's guilds leave the total: nobody serves them.
      await b.close();
      const after = (await (await fetch(`${server.url}/health`)).json()) as { fleet: FleetView };
      expect(after.fleet.guilds).toBe(120);
    } finally {
      await server.close();
    }
  });
});
