import { buildErrorEmbed } from '../../src/queues/discord-embed';
import { MAX_EMBED_CHARACTERS_PER_MESSAGE, chunkEmbeds, embedCharacters, errorFingerprint } from '../../src/queues/discord-log-batch';
import { toErrorJobData } from '../../src/queues/job-data';
import { createWorkerConnection } from '../../src/queues/connection';
import { createQueues, type ModdyQueues } from '../../src/queues/queues';
import { startDiscordLogWorker, type StartDiscordLogOptions } from '../../src/worker-roles';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { RecordingLogger, asLogger, deletePrefix, eventually } from '../helpers/pipeline-fixture';
import { DiscordStub } from '../helpers/discord-stub';
import { TEST_CONFIG } from '../helpers/config';

const CHANNEL = '100000000000000100';

const data = (code: string, message = 'x is undefined') =>
  toErrorJobData({
    errorCode: code,
    errorType: 'TypeError',
    message,
    traceback: `TypeError: ${message}\n    at run (src/bot/x.ts:1:1)`,
    command: 'ping',
    timestamp: new Date('2024-03-04T05:06:07Z'),
  });
const codes = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(4, '0')}`);
/** Short windows so a test sees batching and the dedupe follow-up within seconds. */
const windows = { batchWindowMs: 300, dedupeWindowMs: 1500 };

describe('discord-log batches', () => {
  const embed = (code: string, size: number) => ({ embed: { ...buildErrorEmbed(data(code)), description: 'x'.repeat(size) } });

  it("splits embeds into messages within Discord's 10 embeds and 6000 characters, in order", () => {
    const small = codes('HHHH', 23).map((code) => embed(code, 10));
    expect(chunkEmbeds(small).map((message) => message.length)).toEqual([10, 10, 3]);
    const large = codes('JJJJ', 5).map((code) => embed(code, 2500));
    const messages = chunkEmbeds(large);
    expect(
      messages.every(
        (message) => message.reduce((sum, entry) => sum + embedCharacters(entry.embed), 0) <= MAX_EMBED_CHARACTERS_PER_MESSAGE,
      ),
    ).toBe(true);
    expect(messages.flat().map((entry) => entry.embed.title)).toEqual(large.map((entry) => entry.embed.title));
  });

  it('never cuts an emoji in two when it clips a long message or traceback (a lone surrogate is not valid text)', () => {
    const emoji = '😀';
    const long = { ...data('LLLL0001', `${'m'.repeat(1022)}${emoji.repeat(10)}`), traceback: `${'t'.repeat(1498)}${emoji.repeat(10)}` };
    const built = buildErrorEmbed(long);
    const texts = [built.description, ...built.fields.map((field) => field.value)];
    expect(texts.filter((text) => !text.isWellFormed())).toEqual([]);
    expect(built.fields.find((field) => field.name === 'Message')?.value).toBe(`${'m'.repeat(1022)}…`);
  });

  it('tells identical errors (type, message, place) from different ones, whatever their code', () => {
    expect(errorFingerprint(data('KKKK0001'))).toBe(errorFingerprint(data('KKKK0002')));
    expect(errorFingerprint(data('KKKK0001'))).not.toBe(errorFingerprint(data('KKKK0001', 'another message')));
  });
});

describe('discord-log worker', () => {
  const producer = createWorkerConnection(TEST_REDIS_URL);
  let stub: DiscordStub;
  let prefix: string;
  let queues: ModdyQueues;

  beforeEach(async () => {
    stub = new DiscordStub();
    await stub.start();
    prefix = testPrefix('dlog');
    queues = createQueues({ connection: producer, prefix });
  });

  afterEach(async () => {
    await queues.close();
    await deletePrefix(prefix);
    await stub.close();
  });

  afterAll(() => producer.disconnect());

  /** The worker on this test's stub, prefix and Redis, with short windows; `overrides` replace any option. */
  const startWorker = (overrides: Partial<StartDiscordLogOptions> = {}): ReturnType<typeof startDiscordLogWorker> =>
    startDiscordLogWorker({
      config: TEST_CONFIG,
      rest: stub.rest(),
      channelId: CHANNEL,
      prefix,
      redis: TEST_REDIS_URL,
      logger: asLogger(new RecordingLogger()),
      ...windows,
      ...overrides,
    });

  it('retries a failing post with backoff, then leaves the job in the failed set', async () => {
    stub.failWith = 500;
    const worker = await startWorker();
    try {
      await queues.discordLog.add('log', data('AAAA0001'), { jobId: 'AAAA0001', attempts: 3, backoff: { type: 'exponential', delay: 50 } });
      await eventually(async () => (await queues.discordLog.getJobState('AAAA0001')) === 'failed');
      const job = await queues.discordLog.getJob('AAAA0001');
      expect(job?.attemptsMade).toBe(3);
      expect(stub.failures).toBe(3);
      expect(stub.posts).toHaveLength(0);
      // Once Discord answers again, a retry from the board posts it.
      stub.failWith = undefined;
      await job?.retry();
      await eventually(() => stub.posts.length === 1);
      expect(stub.posts[0]?.body.embeds[0]?.title).toBe('Error AAAA0001');
    } finally {
      await worker.close();
    }
  });

  it('skips the jobs with a single warning when no log channel is configured', async () => {
    const logger = new RecordingLogger();
    const worker = await startWorker({ channelId: null, logger: asLogger(logger) });
    try {
      await queues.discordLog.addBulk(
        ['BBBB0001', 'BBBB0002', 'BBBB0003'].map((code) => ({ name: 'log', data: data(code), opts: { jobId: code } })),
      );
      await eventually(async () => (await queues.discordLog.getCompletedCount()) === 3);
      const job = await queues.discordLog.getJob('BBBB0002');
      expect(job?.returnvalue).toEqual({ posted: false, reason: 'no-log-channel' });
      expect(logger.messages('warn').filter((message) => message.includes('ERROR_LOG_CHANNEL_ID'))).toHaveLength(1);
      expect(stub.posts).toHaveLength(0);
    } finally {
      await worker.close();
    }
  });

  it('fails permanent refusals at once (no retry), with one log line for the channel, until it accepts posts again', async () => {
    stub.failWith = 403;
    stub.failBody = { message: 'Missing Access', code: 50001 };
    const logger = new RecordingLogger();
    const worker = await startWorker({ logger: asLogger(logger) });
    try {
      const refused = codes('CCCC', 6);
      await queues.discordLog.addBulk(refused.map((code) => ({ name: 'log', data: data(code, `refused ${code}`), opts: { jobId: code } })));
      await eventually(async () => (await queues.discordLog.getFailedCount()) === refused.length);
      for (const code of refused) {
        const job = await queues.discordLog.getJob(code);
        expect(job?.attemptsMade).toBe(1);
        expect(job?.failedReason).toContain('Missing Access');
      }
      expect(stub.failures).toBeLessThanOrEqual(refused.length);
      const refusalLines = () => logger.messages('error').filter((message) => message.includes(CHANNEL));
      expect(refusalLines()).toHaveLength(1);
      expect(refusalLines()[0]).toContain('403 Missing Access');
      // The worker's /ready reports it: error logs are failing for good.
      const refused403 = await worker.checks?.discord?.();
      expect(refused403).toMatchObject({
        ok: false,
        detail: { refusals: [{ channelId: CHANNEL, status: 403, message: 'Missing Access' }] },
      });

      stub.failWith = undefined;
      await queues.discordLog.add('log', data('CCCC9999', 'accepted again'), { jobId: 'CCCC9999' });
      await eventually(async () => (await queues.discordLog.getJobState('CCCC9999')) === 'completed');
      expect(stub.posts).toHaveLength(1);
      expect(logger.messages('info').filter((message) => message.includes(`channel ${CHANNEL} accepts posts again`))).toHaveLength(1);
      expect((await worker.checks?.discord?.())?.ok).toBe(true);
    } finally {
      await worker.close();
    }
  });

  it("waits out a 429's retry_after, then posts once, without a queue retry", async () => {
    stub.answers.push({
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 1, global: false },
      headers: { 'retry-after': '1', 'x-ratelimit-scope': 'user' },
    });
    const worker = await startWorker();
    try {
      await queues.discordLog.add('log', data('DDDD0001'), { jobId: 'DDDD0001', attempts: 3, backoff: { type: 'fixed', delay: 60_000 } });
      await eventually(async () => (await queues.discordLog.getJobState('DDDD0001')) === 'completed');
      expect(stub.posts).toHaveLength(1);
      expect(stub.requestTimes).toHaveLength(2);
      const [rateLimited = 0, retried = 0] = stub.requestTimes;
      expect(retried - rateLimited).toBeGreaterThanOrEqual(900);
      // A queue retry would have waited the 60 s backoff: the REST client waited instead.
      expect((await queues.discordLog.getJob('DDDD0001'))?.returnvalue).toMatchObject({ posted: true });
    } finally {
      await worker.close();
    }
  });

  it('posts identical errors once with a count, then one follow-up post counting those within the window', async () => {
    // A long window, closed by hand below (the follow-up is a delayed job): no race with a slow machine.
    const worker = await startWorker({ batchWindowMs: 300, dedupeWindowMs: 10 * 60_000 });
    try {
      const burst = codes('EEEE', 20);
      await queues.discordLog.addBulk(burst.map((code) => ({ name: 'log', data: data(code, 'same failure'), opts: { jobId: code } })));
      await eventually(async () => (await queues.discordLog.getCompletedCount()) === burst.length);
      const later = codes('FFFF', 5);
      await queues.discordLog.addBulk(later.map((code) => ({ name: 'log', data: data(code, 'same failure'), opts: { jobId: code } })));
      await eventually(async () => (await queues.discordLog.getCompletedCount()) === burst.length + later.length);
      expect(stub.posts).toHaveLength(1);

      // The follow-up, as when the window closes.
      const followUps = await queues.discordLog.getDelayed();
      expect(followUps.map((job) => job.name)).toEqual(['repeats']);
      await followUps[0]?.promote();
      await eventually(() => stub.posts.length === 2);
      const titles = stub.posts.map((post) => post.body.embeds.map((embed) => embed.title));
      expect(titles[0]).toHaveLength(1);
      const first = /^Error EEEE\d{4}(?: ×(\d+))?$/.exec(titles[0]?.[0] ?? '');
      const repeated = /^Error EEEE\d{4} repeated ×(\d+)$/.exec(titles[1]?.[0] ?? '');
      expect(first).not.toBeNull();
      expect(repeated).not.toBeNull();
      expect(Number(first?.[1] ?? 1) + Number(repeated?.[1])).toBe(burst.length + later.length);
      const results = await Promise.all(
        [...burst, ...later].map(
          async (code) => (await queues.discordLog.getJob(code))?.returnvalue as { posted: boolean; reason?: string },
        ),
      );
      expect(results.filter((result) => result.posted)).toHaveLength(Number(first?.[1] ?? 1));
      expect(results.filter((result) => result.reason === 'repeat')).toHaveLength(Number(repeated?.[1]));
    } finally {
      await worker.close();
    }
  });

  it('posts many distinct errors up to 10 embeds a message, and loses none', async () => {
    const worker = await startWorker();
    try {
      const distinct = codes('GGGG', 25);
      await queues.discordLog.addBulk(
        distinct.map((code) => ({ name: 'log', data: data(code, `failure ${code}`), opts: { jobId: code } })),
      );
      await eventually(async () => (await queues.discordLog.getCompletedCount()) === distinct.length);
      const titles = stub.posts.flatMap((post) => post.body.embeds.map((embed) => embed.title));
      expect(titles.sort()).toEqual(distinct.map((code) => `Error ${code}`).sort());
      expect(stub.posts.every((post) => post.body.embeds.length <= 10)).toBe(true);
      expect(stub.posts.length).toBeGreaterThanOrEqual(3);
      expect(stub.posts.length).toBeLessThan(distinct.length);
    } finally {
      await worker.close();
    }
  });
});
