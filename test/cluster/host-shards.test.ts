import { HostShareError, describeHostShare, formatShardRanges, hostShareFrom, resolveHostShards } from '../../src/cluster/host-shards';

describe('host share of the fleet', () => {
  it('runs every shard when no share is set', () => {
    expect(resolveHostShards(hostShareFrom({}), 4)).toEqual([0, 1, 2, 3]);
  });

  it('reads ranges and lists of HOST_SHARDS', () => {
    expect(resolveHostShards({ kind: 'ranges', spec: '0-3' }, 8)).toEqual([0, 1, 2, 3]);
    expect(resolveHostShards({ kind: 'ranges', spec: '8-9, 0-1,5' }, 10)).toEqual([0, 1, 5, 8, 9]);
  });

  it('splits evenly with HOST_INDEX/HOST_COUNT, every shard on exactly one host', () => {
    const hosts = [0, 1, 2].map((index) => resolveHostShards({ kind: 'split', index, count: 3 }, 10));
    expect(hosts).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8, 9],
    ]);
  });

  it.each([
    ['0-8', 8, /out of range, the fleet has shards 0-7/],
    ['0-3,3-5', 8, /shard 3 is listed twice/],
    ['2,2', 8, /shard 2 is listed twice/],
    ['5-2', 8, /ends before it starts/],
    ['a-b', 8, /not a shard or a range/],
  ])('refuses HOST_SHARDS=%s of %i shards', (spec, total, message) => {
    const attempt = () => resolveHostShards({ kind: 'ranges', spec }, total);
    expect(attempt).toThrow(HostShareError);
    expect(attempt).toThrow(message);
  });

  it('refuses a split of more hosts than shards', () => {
    expect(() => resolveHostShards({ kind: 'split', index: 0, count: 5 }, 4)).toThrow(HostShareError);
  });

  it.each([
    [{ HOST_INDEX: 2, HOST_COUNT: 2 }, /HOST_INDEX 2 must be below HOST_COUNT 2/],
    [{ HOST_INDEX: 0 }, /go together/],
    [{ HOST_COUNT: 2 }, /go together/],
    [{ HOST_SHARDS: '0-3', HOST_INDEX: 0, HOST_COUNT: 2 }, /both set/],
  ])('refuses the settings %j', (settings, message) => {
    expect(() => hostShareFrom(settings)).toThrow(HostShareError);
    expect(() => hostShareFrom(settings)).toThrow(message);
  });

  it('names shares and ranges compactly', () => {
    expect(describeHostShare({ kind: 'split', index: 1, count: 2 })).toBe('1of2');
    expect(describeHostShare({ kind: 'ranges', spec: '0-3, 8-11' })).toBe('0-3,8-11');
    expect(formatShardRanges([0, 1, 2, 3, 8, 9, 11])).toBe('0-3,8-9,11');
  });
});
