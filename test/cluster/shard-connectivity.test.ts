import { gatewayCheck } from '../../src/cluster/manager-endpoint';
import { ShardConnectivity } from '../../src/cluster/shard-connectivity';

describe('shard connectivity and the gateway readiness check', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('counts every shard disconnected from the start until a report says otherwise', () => {
    const connectivity = new ShardConnectivity([0, 1, 2], clock);
    now += 5000;
    expect(connectivity.disconnected()).toEqual([
      { shard: 0, seconds: 5 },
      { shard: 1, seconds: 5 },
      { shard: 2, seconds: 5 },
    ]);
    connectivity.report({ 0: true, 1: true });
    expect(connectivity.disconnected()).toEqual([{ shard: 2, seconds: 5 }]);
  });

  it('keeps the start of an outage across later reports, and forgets it once connected', () => {
    const connectivity = new ShardConnectivity([0, 1], clock);
    connectivity.report({ 0: true, 1: true });
    now += 1000;
    connectivity.report({ 0: false, 1: true });
    now += 10_000;
    connectivity.report({ 0: false, 1: true });
    expect(connectivity.disconnected()).toEqual([{ shard: 0, seconds: 10 }]);
    connectivity.clusterDown([0, 1]);
    now += 2000;
    expect(connectivity.disconnected()).toEqual([
      { shard: 0, seconds: 12 },
      { shard: 1, seconds: 2 },
    ]);
    connectivity.report({ 0: true, 1: true, 7: true });
    expect(connectivity.disconnected()).toEqual([]);
  });

  it('is ready within the grace, not past it, naming the late shards', async () => {
    const connectivity = new ShardConnectivity([0, 1, 2, 3], clock);
    connectivity.report({ 0: true, 1: true, 2: true, 3: true });
    const check = gatewayCheck(connectivity, 60);
    connectivity.report({ 1: false, 3: false });
    now += 59_000;
    expect((await check()).ok).toBe(true);
    now += 1000;
    const late = await check();
    expect(late.ok).toBe(false);
    expect(late.detail).toMatchObject({ shards: [1, 3], message: 'shards 1, 3 off the gateway for 60 s or more' });
    connectivity.report({ 1: true, 3: true });
    expect((await check()).ok).toBe(true);
  });
});
