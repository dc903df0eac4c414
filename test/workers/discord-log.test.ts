import { toErrorJobData } from '../../src/queues/job-data';
import { createWorkerConnection } from '../../src/queues/connection';
import { createQueues, type ModdyQueues } from '../../src/queues/queues';
import { startDiscordLogWorker } from '../../workers/discord-log';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { RecordingLogger, asLogger, deletePrefix, eventually } from '../errors/pipeline-fixture';
import { DiscordStub } from './discord-stub';

const CHANNEL = '100000000000000100';

const data = (code: string) =>
  toErrorJobData({ errorCode: code, errorType: 'TypeError', message: 'x is undefined', traceback: 'TypeError: x is undefined\n    at run (src/bot/x.ts:1:1)', command: 'ping', timestamp: new Date('2024-03-04T05:06:07Z') });

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

  it('retries a failing post with backoff, then leaves the job in the failed set', async () => {
    stub.failWith = 500;
    const worker = await startDiscordLogWorker({ rest: stub.rest(), channelId: CHANNEL, prefix, redis: TEST_REDIS_URL, logger: asLogger(new RecordingLogger()) });
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
    const worker = await startDiscordLogWorker({ rest: stub.rest(), channelId: null, prefix, redis: TEST_REDIS_URL, logger: asLogger(logger) });
    try {
      await queues.discordLog.addBulk(['BBBB0001', 'BBBB0002', 'BBBB0003'].map((code) => ({ name: 'log', data: data(code), opts: { jobId: code } })));
      await eventually(async () => (await queues.discordLog.getCompletedCount()) === 3);
      const job = await queues.discordLog.getJob('BBBB0002');
      expect(job?.returnvalue).toEqual({ posted: false, reason: 'no-log-channel' });
      expect(logger.messages('warn').filter((message) => message.includes('ERROR_LOG_CHANNEL_ID'))).toHaveLength(1);
      expect(stub.posts).toHaveLength(0);
    } finally {
      await worker.close();
    }
  });
});
