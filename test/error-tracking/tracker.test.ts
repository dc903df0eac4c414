import { CODE_ALPHABET } from '../../src/core/error-code';
import { errorJobId } from '../../src/queues/job-data';
import { startDiscordLogWorker, startErrorPersistenceWorker, type RunningWorker } from '../../src/worker-roles';
import { TEST_REDIS_URL } from '../helpers/services';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '../helpers/postgres-database';
import { freePort } from '../helpers/redis-process';
import { DiscordStub } from '../helpers/discord-stub';
import { RecordingLogger, asLogger, deletePrefix, eventually, openTracker, type TrackerFixture } from '../helpers/pipeline-fixture';
import { TEST_CONFIG } from '../helpers/config';

const CHANNEL = '100000000000000100';
const USER = '123456789012345678';
const GUILD = '223456789012345678';

/** A generator that returns the given codes in order, then fresh distinct ones. */
function scripted(...codes: string[]): () => string {
  let n = 0;
  return () => codes.shift() ?? `Z${String(n++).padStart(7, '0')}`;
}

describe('error tracker, end to end on PostgreSQL and Redis', () => {
  let pg: TestPostgresDatabase;
  let fixture: TrackerFixture;
  let stub: DiscordStub;
  const workers: RunningWorker[] = [];

  beforeAll(async () => {
    pg = await createTestPostgresDatabase();
    stub = new DiscordStub();
    await stub.start();
    fixture = await openTracker(pg.db);
    const logger = asLogger(new RecordingLogger());
    workers.push(
      await startErrorPersistenceWorker({ config: TEST_CONFIG, db: pg.db, prefix: fixture.prefix, redis: TEST_REDIS_URL, logger }),
    );
    workers.push(
      await startDiscordLogWorker({
        config: TEST_CONFIG,
        rest: stub.rest(),
        channelId: CHANNEL,
        prefix: fixture.prefix,
        redis: TEST_REDIS_URL,
        logger,
      }),
    );
  });

  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await fixture.close();
    await deletePrefix(fixture.prefix);
    await stub.close();
    await pg.cleanup();
  });

  it('returns a code at once, stores every column, and posts the embed to the log channel', async () => {
    class PingFailedError extends Error {}
    const code = await fixture.tracker.capture(new PingFailedError('latency probe failed'), {
      userId: USER,
      guildId: GUILD,
      command: 'ping',
      context: { token: 'Bot abcdefghijklmnopqrstuvwxyz', attempt: 2n },
    });
    expect(code).toHaveLength(8);
    expect([...code].every((char) => CODE_ALPHABET.includes(char))).toBe(true);

    // Quoted by a user in lower case with a look-alike slip.
    const quoted = code.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l');
    await eventually(async () => (await pg.db.getError(quoted)) !== null);
    const row = await pg.db.getError(quoted);
    expect(row).toMatchObject({
      errorCode: code,
      errorType: 'PingFailedError',
      message: 'latency probe failed',
      fileSource: 'test/error-tracking/tracker.test.ts',
      lineNumber: expect.any(Number) as number,
      userId: USER,
      guildId: GUILD,
      command: 'ping',
      context: { token: '[REDACTED]', attempt: '2' },
    });
    expect(row?.traceback).toContain('latency probe failed');

    const posted = await eventually(() => stub.embedsTitled(`Error ${code}`)[0]);
    const post = posted.post;
    expect(post?.channelId).toBe(CHANNEL);
    expect(post?.authorization).toBe('Bot test-token');
    const fields = Object.fromEntries(posted.embed.fields.map((field) => [field.name, field.value]));
    expect(fields).toMatchObject({
      Code: `\`${code}\``,
      Type: 'PingFailedError',
      Command: '`/ping`',
      User: `<@${USER}> (${USER})`,
      Guild: GUILD,
      Message: 'latency probe failed',
    });
    expect(fields.Time).toMatch(/^<t:\d+:F>$/);
    expect(posted.embed.description).toContain('latency probe failed');
  });

  it('never hands out a code twice, even when the generator repeats itself', async () => {
    const repeating = await openTracker(pg.db, {
      prefix: fixture.prefix,
      codePoolSize: 0,
      generateCode: scripted('AAAAAAAA', 'AAAAAAAA', 'BBBBBBBB'),
    });
    let pooled: TrackerFixture | undefined;
    try {
      const first = await repeating.tracker.capture(new Error('first'));
      const second = await repeating.tracker.capture(new Error('second'));
      expect([first, second]).toEqual(['AAAAAAAA', 'BBBBBBBB']);
      // A pool filled from a generator that repeats taken codes and itself keeps only the free ones.
      pooled = await openTracker(pg.db, {
        prefix: fixture.prefix,
        codePoolSize: 4,
        generateCode: scripted('AAAAAAAA', 'CCCCCCCC', 'CCCCCCCC', 'BBBBBBBB', 'DDDDDDDD', 'EEEEEEEE'),
      });
      const pool = pooled;
      await eventually(async () =>
        (
          await Promise.all(['CCCCCCCC', 'DDDDDDDD', 'EEEEEEEE'].map((c) => fixture.redis.exists(`${fixture.prefix}:errors:code:${c}`)))
        ).every((n) => n === 1),
      );
      const third = await pool.tracker.capture(new Error('third'));
      const fourth = await pool.tracker.capture(new Error('fourth'));
      expect(new Set([first, second, third, fourth]).size).toBe(4);
      for (const [code, message] of [
        [first, 'first'],
        [second, 'second'],
        [third, 'third'],
        [fourth, 'fourth'],
      ] as const) {
        await eventually(async () => (await pg.db.getError(code)) !== null);
        expect((await pg.db.getError(code))?.message).toBe(message);
      }
    } finally {
      await repeating.close();
      await pooled?.close();
    }
  });

  it('detects a taken code in PostgreSQL when Redis is down, before returning it', async () => {
    await pg.db.recordError({ errorCode: 'FFFFFFFF', errorType: 'Error', message: 'already stored' });
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const offline = await openTracker(pg.db, { redis: deadRedis, generateCode: scripted('FFFFFFFF', 'GGGGGGGG') });
    try {
      const code = await offline.tracker.capture(new Error('while Redis is down'));
      expect(code).toBe('GGGGGGGG');
      expect((await pg.db.getError('FFFFFFFF'))?.message).toBe('already stored');
      expect((await pg.db.getError('GGGGGGGG'))?.message).toBe('while Redis is down');
    } finally {
      await offline.close();
    }
  });

  it('makes one row and one post when the same code is enqueued again', async () => {
    const code = await fixture.tracker.capture(new Error('enqueued twice'));
    await eventually(async () => (await pg.db.getError(code)) !== null && stub.embedsTitled(`Error ${code}`).length > 0);
    const job = await fixture.queues.discordLog.getJob(errorJobId(code));
    expect(job).toBeDefined();
    // A retried enqueue: same job ids.
    await fixture.queues.errorPersistence.add('persist', job!.data, { jobId: errorJobId(code) });
    await fixture.queues.discordLog.add('log', job!.data, { jobId: errorJobId(code) });
    await eventually(async () => {
      const counts = await fixture.queues.errorPersistence.getJobCounts('wait', 'active');
      return counts.wait === 0 && counts.active === 0;
    });
    const [row] = (await pg.db.dataSource.query('SELECT count(*)::int AS n FROM errors WHERE error_code = $1', [code])) as { n: number }[];
    expect(row?.n).toBe(1);
    // The log job kept its id after completing, so the second add was a no-op (not a new post).
    expect(await fixture.queues.discordLog.getJobState(errorJobId(code))).toBe('completed');
    expect(await fixture.queues.discordLog.getJobCounts('wait', 'active', 'delayed')).toEqual({ wait: 0, active: 0, delayed: 0 });
    expect(stub.embedsTitled(`Error ${code}`)).toHaveLength(1);
  });

  it('queues a code made only of digits (BullMQ refuses integer-like job ids, so ids are prefixed)', async () => {
    const digits = await openTracker(pg.db, { prefix: fixture.prefix, codePoolSize: 0, generateCode: scripted('20234268') });
    try {
      expect(await digits.tracker.capture(new Error('all digits'))).toBe('20234268');
      expect(digits.logger.messages('warn').filter((message) => !message.includes('without AOF'))).toEqual([]);
      await eventually(async () => (await pg.db.getError('20234268'))?.message === 'all digits');
    } finally {
      await digits.close();
    }
  });
});
