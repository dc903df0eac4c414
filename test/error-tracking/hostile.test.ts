import fs from 'node:fs';
import { ValidationError } from '../../src/core/moddy-error';
import type { NewErrorRecord } from '../../src/db/api';
import type { SpoolEntry } from '../../src/error-tracking/spool';
import { REPLACEMENT } from '../../src/core/storable';
import { errorJobId, toErrorJobData } from '../../src/queues/job-data';
import { startErrorPersistenceWorker, type RunningWorker } from '../../src/worker-roles';
import { RedisProcess, TcpProxy } from '../helpers/redis-process';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '../helpers/postgres-database';
import { TEST_REDIS_URL } from '../helpers/services';
import {
  RecordingLogger,
  asLogger,
  codeSequence,
  countErrors,
  deletePrefix,
  eventually,
  openTracker,
  temporarySpool,
  type TrackerFixture,
} from '../helpers/pipeline-fixture';
import { TEST_CONFIG } from '../helpers/config';

/** A distinct valid code per call. */
const nextCode = codeSequence('H');

const record = (overrides: Partial<NewErrorRecord> = {}): NewErrorRecord => ({
  errorCode: nextCode(),
  errorType: 'Error',
  message: 'hostile',
  ...overrides,
});

/** Every code stored, with how many rows each has (a duplicate would show as a second row under another code). */
async function storedCodes(pg: TestPostgresDatabase): Promise<string[]> {
  const rows = (await pg.db.dataSource.query('SELECT error_code AS code FROM errors ORDER BY error_code')) as { code: string }[];
  return rows.map((row) => row.code);
}

/** PostgreSQL itself refuses rows whose message starts with "poison" (a query error, not a ValidationError). */
async function installPoisonTrigger(pg: TestPostgresDatabase): Promise<void> {
  await pg.db.dataSource.query(`
    CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.message LIKE 'poison%' THEN RAISE EXCEPTION 'poison row refused' USING ERRCODE = 'P0001'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_poison BEFORE INSERT ON errors FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
}

describe('the error pipeline against hostile input and faults', () => {
  let pg: TestPostgresDatabase;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    pg = await createTestPostgresDatabase();
    await installPoisonTrigger(pg);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await pg.db.dataSource.query('DELETE FROM errors');
  });

  afterAll(async () => {
    await pg.cleanup();
  });

  async function tracker(
    options: Parameters<typeof openTracker>[1] & { db?: Parameters<typeof openTracker>[0] } = {},
  ): Promise<TrackerFixture> {
    const fixture = await openTracker(options.db ?? pg.db, options);
    cleanups.push(async () => {
      await fixture.close();
      if (!options.redis) await deletePrefix(fixture.prefix);
    });
    await eventually(() => fixture.redis.status === 'ready');
    return fixture;
  }

  async function worker(prefix: string, redis = TEST_REDIS_URL): Promise<RunningWorker> {
    const running = await startErrorPersistenceWorker({
      config: TEST_CONFIG,
      db: pg.db,
      prefix,
      redis,
      logger: asLogger(new RecordingLogger()),
      concurrency: 50,
    });
    cleanups.push(() => running.close());
    return running;
  }

  describe('recordError refuses what cannot be an error with a typed error, and stores nothing', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cases: [string, unknown][] = [
      ['a string context', record({ context: 'just text' as never })],
      ['an array context', record({ context: [1, 2] as never })],
      ['a cyclic context', record({ context: cyclic as never })],
      ['a BigInt context', record({ context: { n: 10n } as never })],
      [
        'a context whose getter throws',
        record({
          context: Object.defineProperty({}, 'boom', {
            enumerable: true,
            get: () => {
              throw new Error('no');
            },
          }) as never,
        }),
      ],
      ['a context whose toJSON gives a string', record({ context: { toJSON: () => 'text' } as never })],
      ['an invalid date', record({ timestamp: new Date('yesterday') })],
      ['a date as text', record({ timestamp: '2024-01-01' as never })],
      ['a number as message', record({ message: 42 as never })],
      ['a non-string command', record({ command: { name: 'x' } as never })],
      ['null', null],
      ['a string', 'error'],
    ];
    it.each(cases)('%s', async (_label, input) => {
      await expect(pg.db.recordError(input as NewErrorRecord)).rejects.toBeInstanceOf(ValidationError);
      expect(await countErrors(pg.db)).toBe(0);
    });

    it('and a batch that is not an array', async () => {
      await expect(pg.db.recordErrors('x' as never)).rejects.toBeInstanceOf(ValidationError);
    });
  });

  it('recordError stores NUL bytes and lone surrogates in any text, context keys included, as U+FFFD', async () => {
    const input = record({
      errorType: 'Type\u0000Error',
      message: 'nul \u0000 lone \uD800 end',
      traceback: 'at \uDC00 x',
      fileSource: 'src/\u0000.ts',
      command: 'config prefix \uD83D',
      context: { 'key\u0000': 'value \uDBFF', nested: { list: ['\u0000'] }, emoji: '😀' },
    });
    expect(await pg.db.recordError(input)).toBe(true);
    const row = await pg.db.getError(input.errorCode);
    expect(row).toMatchObject({
      errorType: `Type${REPLACEMENT}Error`,
      message: `nul ${REPLACEMENT} lone ${REPLACEMENT} end`,
      traceback: `at ${REPLACEMENT} x`,
      fileSource: `src/${REPLACEMENT}.ts`,
      command: `config prefix ${REPLACEMENT}`,
      context: { [`key${REPLACEMENT}`]: `value ${REPLACEMENT}`, nested: { list: [REPLACEMENT] }, emoji: '😀' },
    });
  });

  it('judges a context by its one serialisation (a getter answering differently on each read)', async () => {
    let reads = 0;
    const context = Object.defineProperty({}, 'flip', { enumerable: true, get: () => (reads++ % 2 === 0 ? 'first' : 10n) });
    const input = record({ context: context as never });
    expect(await pg.db.recordError(input)).toBe(true);
    expect((await pg.db.getError(input.errorCode))?.context).toEqual({ flip: 'first' });
  });

  it('the tracker makes every text storable: hostile captures all reach PostgreSQL through the worker', async () => {
    const fixture = await tracker();
    await worker(fixture.prefix);
    const withBadStack = new Error('stack \u0000');
    withBadStack.stack = `Error: \uD800\u0000\n    at nowhere (/x.js:1:1)`;
    const unreadable = new Error('unreadable');
    Object.defineProperty(unreadable, 'message', {
      get: () => {
        throw new Error('getter');
      },
    });
    const captures: [unknown, Parameters<typeof fixture.tracker.capture>[1]][] = [
      [new Error('nul \u0000 and lone \uD800'), { command: '/config prefix \u0000\uDFFF' }],
      [withBadStack, { context: { ['k\u0000\uD800']: 'v\u0000' } }],
      [new Error('emoji context'), { context: { blob: '😀'.repeat(20_000), note: 'x'.repeat(300) } }],
      [new Error(`emoji at the cut ${'é'.repeat(255)}😀`), { context: { blob: `${'a'.repeat(255)}😀${'b'.repeat(17_000)}` } }],
      [unreadable, {}],
      ['thrown \u0000 string', { userId: '\u0000', guildId: '99999999999999999999' }],
      [Object.assign(Object.create(null) as object, { weird: true }), { context: 'a string context' }],
    ];
    const codes = await Promise.all(captures.map(([error, meta]) => fixture.tracker.capture(error, meta)));
    await fixture.tracker.drain();
    await eventually(async () => (await countErrors(pg.db)) === captures.length);
    expect(await storedCodes(pg)).toEqual([...codes].sort());
    const emoji = await pg.db.getError(codes[2] ?? '');
    expect(emoji?.context.truncated).toBe(true);
    expect(fixture.logger.messages('error')).toEqual([]);
  });

  it('the worker isolates rows PostgreSQL refuses with a query error: only their jobs fail, and retry out of step', async () => {
    const fixture = await tracker();
    const good = Array.from({ length: 20 }, () => record({ message: 'good' }));
    const poison = Array.from({ length: 6 }, () => record({ message: 'poison pill' }));
    await fixture.queues.errorPersistence.addBulk(
      [...good, ...poison].map((r) => ({ name: 'persist', data: toErrorJobData(r), opts: { jobId: errorJobId(r.errorCode) } })),
    );
    await worker(fixture.prefix);
    await eventually(async () => (await countErrors(pg.db)) === good.length);
    const failedOnce = async () => Promise.all(poison.map((r) => fixture.queues.errorPersistence.getJob(errorJobId(r.errorCode))));
    const jobs = await eventually(async () => {
      const current = await failedOnce();
      return current.every((job) => (job?.attemptsMade ?? 0) >= 1) && current;
    });
    for (const job of jobs) expect(job?.failedReason).toContain('poison row refused');
    expect(await fixture.queues.errorPersistence.getCompletedCount()).toBe(0);
    expect(await fixture.queues.errorPersistence.getWaitingCount()).toBe(0);
    // Retried (a query error may be a passing fault) after a jittered backoff: not all at the same delay.
    const delays = jobs.filter((job) => job?.attemptsMade === 1).map((job) => job?.delay ?? 0);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(500);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(1000);
    if (delays.length >= 3) expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('the spool replay quarantines entries that keep failing and delivers the rest', async () => {
    const { spool, remove } = temporarySpool();
    cleanups.push(async () => remove());
    const entry = (r: NewErrorRecord, overrides: Partial<SpoolEntry> = {}): SpoolEntry => ({
      record: toErrorJobData(r),
      captureId: `c-${r.errorCode}`,
      reserved: true,
      persisted: false,
      ...overrides,
    });
    const good = Array.from({ length: 5 }, () => record({ message: 'good' }));
    const invalid = entry(record());
    invalid.record.timestamp = 'not a date';
    const poison = entry(record({ message: 'poison in the spool' }));
    for (const item of [invalid, ...good.map((r) => entry(r)), poison]) spool.append(item);
    const fixture = await tracker({ spool });

    await fixture.tracker.replaySpool();
    expect(await countErrors(pg.db)).toBe(good.length);
    // The invalid entry is out at once; the poison one is retried (it might be a passing fault)…
    expect(spool.pending()).toBe(1);
    for (let replay = 0; replay < 3; replay += 1) await fixture.tracker.replaySpool();
    // …and quarantined once it has failed on its own three times.
    expect(spool.pending()).toBe(0);
    const quarantined = fs
      .readFileSync(spool.quarantineFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SpoolEntry & { reason: string });
    expect(quarantined.map((q) => q.record.errorCode).sort()).toEqual([invalid.record.errorCode, poison.record.errorCode].sort());
    expect(quarantined.find((q) => q.record.errorCode === poison.record.errorCode)?.reason).toContain('poison row refused');
    expect(fixture.logger.messages('error').filter((message) => message.includes('quarantined'))).toHaveLength(2);
  });

  it('the spool replay quarantines nothing while PostgreSQL is down, even a lone entry', async () => {
    const { spool, remove } = temporarySpool();
    cleanups.push(async () => remove());
    const lone = record({ message: 'waits for PostgreSQL' });
    spool.append({ record: toErrorJobData(lone), captureId: 'c-lone', reserved: true, persisted: false });
    let down = true;
    const flakyDatabase = {
      recordError: (r: NewErrorRecord) => pg.db.recordError(r),
      recordErrors: (records: readonly NewErrorRecord[]) =>
        down
          ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))
          : pg.db.recordErrors(records),
      getError: (code: string) => pg.db.getError(code),
    };
    const fixture = await tracker({ spool, db: flakyDatabase });
    for (let replay = 0; replay < 5; replay += 1) await fixture.tracker.replaySpool();
    expect(fs.existsSync(spool.quarantineFile)).toBe(false);
    expect(spool.pending()).toBe(1);
    down = false;
    await fixture.tracker.replaySpool();
    expect(await storedCodes(pg)).toEqual([lone.errorCode]);
    expect(spool.pending()).toBe(0);
  });

  it('stores each error once when the enqueue deadline fires while the jobs still land (Redis hung during a burst)', async () => {
    // The direct inserts of the fallback wait a little (a busy pool), so the worker often stores the landed job first.
    const slowDirectInserts = {
      recordError: async (r: NewErrorRecord) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return pg.db.recordError(r);
      },
      recordErrors: (records: readonly NewErrorRecord[]) => pg.db.recordErrors(records),
      getError: (code: string) => pg.db.getError(code),
    };
    // The tracker reaches Redis through a relay that holds the jobs sent during the burst (the
    // deadline fires) and delivers them once the fallback has started (the jobs land too).
    const relay = await TcpProxy.start(Number(new URL(TEST_REDIS_URL).port || 6379));
    cleanups.push(() => relay.cut());
    const fixture = await tracker({
      redis: relay.url,
      redisTimeoutMs: 1,
      databaseTimeoutMs: 10_000,
      codePoolSize: 1024,
      db: slowDirectInserts,
    });
    cleanups.push(() => deletePrefix(fixture.prefix));
    await worker(fixture.prefix);
    await eventually(async () => (await fixture.redis.keys(`${fixture.prefix}:errors:code:*`)).length === 1024);
    relay.hang();
    const captures = 600;
    const codes = await Promise.all(
      Array.from({ length: captures }, (_, i) => fixture.tracker.capture(new Error(`burst ${i}`), { command: 'burst' })),
    );
    const fellBack = (): boolean => fixture.logger.messages('warn').some((message) => message.includes('Redis unavailable'));
    await eventually(fellBack);
    relay.resume();
    await fixture.tracker.drain();
    // The deliveries took the PostgreSQL path (the deadline fired); their jobs landed too.
    expect(fellBack()).toBe(true);
    await eventually(async () => (await fixture.queues.errorPersistence.count()) === 0 && (await countErrors(pg.db)) >= captures, 30_000);
    expect(new Set(codes).size).toBe(captures);
    expect(await storedCodes(pg)).toEqual([...codes].sort());
    expect(fixture.logger.messages('error')).toEqual([]);
  }, 60_000);

  it('loses no acknowledged error when Redis crashes without persistence before the worker runs', async () => {
    const redis = await RedisProcess.start();
    cleanups.push(() => redis.kill());
    const fixture = await tracker({ redis: redis.url });
    const codes: string[] = [];
    for (let i = 0; i < 100; i += 1) codes.push(await fixture.tracker.capture(new Error(`queued ${i}`)));
    await fixture.tracker.drain();
    expect(await fixture.queues.errorPersistence.count()).toBe(100);
    expect(await countErrors(pg.db)).toBe(0);
    expect(fixture.logger.messages('warn').some((message) => message.includes('without AOF'))).toBe(true);

    await redis.kill();
    await eventually(() => fixture.redis.status !== 'ready');
    await redis.start();
    await eventually(() => fixture.redis.status === 'ready');
    // The reconnection replays the journal; this call joins or follows that replay.
    await fixture.tracker.replaySpool();
    await eventually(async () => (await countErrors(pg.db)) === 100);
    expect(await storedCodes(pg)).toEqual([...codes].sort());

    // A worker on the restarted Redis finds nothing left to do, and nothing is stored twice.
    await worker(fixture.prefix, redis.url);
    await fixture.tracker.replaySpool();
    expect(await countErrors(pg.db)).toBe(100);
    expect(fixture.spool.pending()).toBe(0);
  }, 60_000);

  it('replays journalled errors whose jobs Redis lost without a restart, once they are old enough', async () => {
    const fixture = await tracker({ journalConfirmAfterMs: 400 });
    const codes: string[] = [];
    for (let i = 0; i < 50; i += 1) codes.push(await fixture.tracker.capture(new Error(`flushed ${i}`)));
    await fixture.tracker.drain();
    // Every key of this tracker's prefix gone, jobs included (as after a FLUSHALL or a failover to an empty replica).
    await deletePrefix(fixture.prefix);
    expect(await countErrors(pg.db)).toBe(0);
    await eventually(async () => {
      await fixture.tracker.replaySpool();
      return (await countErrors(pg.db)) === 50;
    });
    expect(await storedCodes(pg)).toEqual([...codes].sort());
  });
});
