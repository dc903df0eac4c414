import type { Attributes, EntityType } from '../../src/attributes/registry';
import type { InteractionAttributes } from '../../src/db/api';
import { PostgresDatabase } from '../../src/db/postgres-database';
import { eventually } from '../helpers/eventually';
import { CacheFixture, freshId } from '../helpers/cache-fixture';

/** PostgreSQL answers nothing until the test fails each pending load, in the order it chooses. */
class FailingDatabase extends PostgresDatabase {
  readonly pending: { label: string; fail(error: Error): void }[] = [];

  private hold<T>(label: string): Promise<T> {
    return new Promise<T>((_, reject) => this.pending.push({ label, fail: reject }));
  }

  override getAttributes(entityType: EntityType, id: string): Promise<Attributes> {
    return this.hold(`${entityType}:${id}`);
  }

  override getInteractionAttributes(userId: string, guildId: string | null): Promise<InteractionAttributes> {
    return this.hold(`both:${userId}:${guildId ?? ''}`);
  }
}

let f: CacheFixture;
let failing: FailingDatabase;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  f = await CacheFixture.create();
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await f.cleanup();
});

/** Node reports unhandled rejections once the microtask queue has drained: one macrotask later. */
const flushRejections = () => new Promise((resolve) => setImmediate(resolve));

describe('failed loads', () => {
  it('two interactions of one guild failing in PostgreSQL both reject, and no rejection is left unhandled', async () => {
    const instance = await f.open({ inner: (dataSource) => (failing = new FailingDatabase(dataSource)) });
    const guild = freshId();
    // A owns both keys; B joins A's load of the guild and loads its own user.
    const a = instance.db.getInteractionAttributes(freshId(), guild);
    const b = instance.db.getInteractionAttributes(freshId(), guild);
    const results = [
      a.then(
        () => 'ok',
        (error: Error) => error.message,
      ),
      b.then(
        () => 'ok',
        (error: Error) => error.message,
      ),
    ];
    await eventually(() => failing.pending.length === 2);
    const [ownedByA, ownedByB] = failing.pending;
    // B's own load fails first, then the guild's load it joined.
    ownedByB!.fail(new Error('connection terminated (B)'));
    await flushRejections();
    ownedByA!.fail(new Error('connection terminated (A)'));
    expect(await Promise.all(results)).toEqual(['connection terminated (A)', 'connection terminated (B)']);
    await flushRejections();
    expect(unhandled).toEqual([]);
  });

  it('a key whose load failed is loaded afresh by the next read', async () => {
    const instance = await f.open({ inner: (dataSource) => (failing = new FailingDatabase(dataSource)) });
    const user = freshId();
    const first = instance.db.getAttributes('user', user).catch((error: Error) => error.message);
    await eventually(() => failing.pending.length === 1);
    failing.pending[0]!.fail(new Error('timeout'));
    expect(await first).toBe('timeout');
    const second = instance.db.getAttributes('user', user).catch((error: Error) => error.message);
    await eventually(() => failing.pending.length === 2);
    failing.pending[1]!.fail(new Error('again'));
    expect(await second).toBe('again');
    await flushRejections();
    expect(unhandled).toEqual([]);
  });
});
