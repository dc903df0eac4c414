import { decodeInvalidation } from '../../src/cache/invalidation-bus';
import { CacheFixture, freshId, waitFor, type CacheInstance } from '../helpers/cache-fixture';

describe('the Redis commands of one event-loop turn', () => {
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
