import { decodeInvalidation } from '../../src/cache/invalidation-bus';
import { TickBatch } from '../../src/cache/tick-batch';
import { CacheFixture, freshId, waitFor, type CacheInstance } from '../helpers/cache-fixture';

/** A batch whose sends are recorded, answering each request with its length (or failing when told). */
function recordingBatch(maxWeight: number): { batch: TickBatch<string[], number>; sent: string[][][]; failNext: () => void } {
  const sent: string[][][] = [];
  let fail = false;
  const batch = new TickBatch<string[], number>({
    send: async (requests) => {
      sent.push([...requests]);
      if (fail) {
        fail = false;
        throw new Error('the command failed');
      }
      return requests.map((request) => request.length);
    },
    weightOf: (request) => request.length,
    maxWeight,
  });
  return { batch, sent, failNext: () => (fail = true) };
}

describe('TickBatch', () => {
  it('sends the requests of one tick together, in order, and gives each its own reply', async () => {
    const { batch, sent } = recordingBatch(100);
    const replies = await Promise.all([batch.submit(['a']), batch.submit(['b', 'c']), batch.submit([])]);
    expect(replies).toEqual([1, 2, 0]);
    expect(sent).toEqual([[['a'], ['b', 'c'], []]]);
    // The next tick is another batch.
    expect(await batch.submit(['d'])).toBe(1);
    expect(sent).toHaveLength(2);
  });

  it('starts a new batch before one would exceed its weight; a request heavier than the bound goes alone', async () => {
    const { batch, sent } = recordingBatch(3);
    const replies = await Promise.all([
      batch.submit(['a', 'b']),
      batch.submit(['c']),
      batch.submit(['d', 'e']),
      batch.submit(['f', 'g', 'h', 'i']),
      batch.submit(['j']),
    ]);
    expect(replies).toEqual([2, 1, 2, 4, 1]);
    expect(sent).toEqual([[['a', 'b'], ['c']], [['d', 'e']], [['f', 'g', 'h', 'i']], [['j']]]);
  });

  it('fails every request of a failed batch with its error, and only those', async () => {
    const { batch, failNext } = recordingBatch(100);
    failNext();
    const failed = [batch.submit(['a']), batch.submit(['b'])];
    for (const request of failed) await expect(request).rejects.toThrow('the command failed');
    expect(await batch.submit(['c'])).toBe(1);
  });
});

describe('the Redis commands of one tick', () => {
  let f: CacheFixture;
  let a: CacheInstance;
  let b: CacheInstance;

  beforeAll(async () => {
    f = await CacheFixture.create();
    a = await f.open({ cache: { redisTimeoutMs: 2000 } });
    b = await f.open({ cache: { redisTimeoutMs: 2000 } });
  });
  afterAll(async () => {
    await f.cleanup();
  });

  it('are one MGET, one fill and one invalidation for 20 first-seen users, and the other process hears them in one message', async () => {
    const guild = freshId();
    // Loads the scripts, so that what is counted below is not a NOSCRIPT retry.
    await a.db.beginInteraction(freshId(), guild, { ensureUser: true });
    const users = Array.from({ length: 20 }, () => freshId());
    // The other process caches each user as absent: the creations must reach it.
    for (const user of users) expect(await b.db.getUser(user)).toBeNull();
    const messages: string[][] = [];
    b.subscriber.on('message', (_channel: string, message: string) => {
      const { origin, entries } = decodeInvalidation(message);
      if (origin === a.db.invalidationOrigin) messages.push(entries);
    });
    a.commands.length = 0;

    const starts = await Promise.all(users.map((user) => a.db.beginInteraction(user, guild, { ensureUser: true })));

    expect(starts.map((start) => start.userRow.created)).toEqual(users.map(() => true));
    const counted = a.commands.filter((name) => name !== 'ping');
    expect(counted.filter((name) => name === 'mget')).toHaveLength(1);
    // One fill script and one invalidation script.
    expect(counted.filter((name) => name === 'evalsha')).toHaveLength(2);
    await waitFor(() => messages.length > 0, 2000);
    expect(messages).toEqual([expect.arrayContaining(users.map((user) => a.db.keys.record('user', user)))]);
    expect(messages[0]).toHaveLength(users.length);
    for (const user of users) expect(await b.db.getUser(user)).toMatchObject({ userId: user, deactivatedAt: null });
  });
});
