import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REST } from '@discordjs/rest';
import pino from 'pino';
import { createBoardApp } from '../../src/board/app';
import { createWorkerConnection } from '../../src/queues/connection';
import { toErrorJobData, type ErrorJobData } from '../../src/queues/job-data';
import { QUEUE_NAMES } from '../../src/queues/names';
import { createQueues, type ModdyQueues } from '../../src/queues/queues';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';
import { startDiscordLogWorker } from '../../src/worker-roles';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { RecordingLogger, asLogger, deletePrefix, eventually } from '../helpers/pipeline-fixture';
import { TEST_CONFIG } from '../helpers/config';

const GUILD = '1700000000000000001';
const LOG_CHANNEL = '1700000000000000011';
const STORM_ERRORS = 500;
const STORM_SECONDS = 10;
/**
 * Discord's channel bucket has 5 posts; its window is shortened from 5 s to 2 s so that the storm's
 * 50 messages drain in ~20 s instead of ~45 s. The bucket's shape and headers are Discord's.
 */
const CHANNEL_BUCKET = { limit: 5, windowMs: 2000 };

/** Error codes are unique per occurrence, as the tracker reserves them: each storm has its own. */
const code = (index: number, prefix = 'STRM') => `${prefix}${String(index).padStart(4, '0')}`;
/** Failure number `failure` of a storm of `kind` (its message and place), raised under `errorCode`. */
const stormError = (failure: number, errorCode = code(failure), kind = 'distinct'): ErrorJobData =>
  toErrorJobData({
    errorCode,
    errorType: 'TypeError',
    // Distinct failures have distinct messages: dedupe must not merge them.
    message: `${kind} storm failure ${failure}`,
    traceback: `TypeError: ${kind} storm failure ${failure}\n    at run (src/bot/storm.ts:${failure + 1}:1)`,
    command: 'storm',
    timestamp: new Date(),
  });

interface BoardQueue {
  name: string;
  counts: Record<string, number>;
}

describe('error storm through the Discord-log worker, against the simulator', () => {
  const producer = createWorkerConnection(TEST_REDIS_URL);
  const prefix = testPrefix('storm');
  let queues: ModdyQueues;
  let simulator: DiscordSimulator;
  let board: Server;
  let boardUrl: string;

  beforeAll(async () => {
    simulator = new DiscordSimulator({
      logger: pino({ level: 'silent' }),
      guilds: [{ id: GUILD, name: 'Storm Guild', channels: [{ id: LOG_CHANNEL, name: 'mod-log' }] }],
      rateLimits: { routes: { 'POST /channels/:id/messages': CHANNEL_BUCKET } },
    });
    await simulator.start();
    queues = createQueues({ connection: producer, prefix });
    board = await new Promise<Server>((resolve) => {
      const listening = createBoardApp({ host: '127.0.0.1', queues: queues.all(), readOnly: true }).listen(0, '127.0.0.1', () =>
        resolve(listening),
      );
    });
    boardUrl = `http://127.0.0.1:${(board.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      board.close(() => resolve());
      board.closeAllConnections();
    });
    await queues.close();
    await deletePrefix(prefix);
    await producer.quit();
    await simulator.stop();
  });

  /** What the board shows for the Discord-log queue: jobs waiting or being posted. */
  const boardDepth = async (): Promise<number> => {
    const body = (await (await fetch(`${boardUrl}/api/queues`)).json()) as { queues: BoardQueue[] };
    const counts = body.queues.find((queue) => queue.name === QUEUE_NAMES.discordLog)?.counts ?? {};
    return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0);
  };

  /** The Discord-log worker on the simulator, with its own REST client as in production (no request retries: the queue retries). */
  const openWorker = async (dedupeWindowMs?: number) =>
    startDiscordLogWorker({
      config: TEST_CONFIG,
      rest: new REST({ api: simulator.apiUrl, retries: 0, timeout: 10_000 }).setToken(DEV_TOKEN),
      channelId: LOG_CHANNEL,
      prefix,
      redis: TEST_REDIS_URL,
      logger: asLogger(new RecordingLogger()),
      batchWindowMs: 500,
      ...(dedupeWindowMs ? { dedupeWindowMs } : {}),
    });

  interface StormResult {
    /** The log channel's messages. */
    messages: ReturnType<DiscordSimulator['messages']>;
    /** The board's Discord-log depth (waiting + active) after each second of the storm. */
    depths: number[];
    refused: number;
  }

  /** Raises STORM_ERRORS errors over STORM_SECONDS (`errorAt(index)`), waits for the queue to drain and checks nothing was lost or retried. */
  const storm = async (label: string, errorAt: (index: number) => ErrorJobData, dedupeWindowMs?: number): Promise<StormResult> => {
    const requestsBefore = simulator.requests().length;
    const messagesBefore = simulator.messages(LOG_CHANNEL).length;
    const refusedBefore = totalRefused();
    const jobId = (index: number) => `${label}-${code(index)}`;
    const worker = await openWorker(dedupeWindowMs);
    try {
      const depths: number[] = [];
      const perSecond = STORM_ERRORS / STORM_SECONDS;
      for (let second = 0; second < STORM_SECONDS; second += 1) {
        const started = Date.now();
        const indexes = Array.from({ length: perSecond }, (_, offset) => second * perSecond + offset);
        await queues.discordLog.addBulk(indexes.map((index) => ({ name: 'log', data: errorAt(index), opts: { jobId: jobId(index) } })));
        depths.push(await boardDepth());
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - started))));
      }
      // The storm shows on the board while it drains, then the queue is empty (follow-ups included).
      expect(Math.max(...depths)).toBeGreaterThan(0);
      // One atomic read of every unfinished state: a delayed follow-up cannot slip between two reads.
      const unfinished = async () =>
        Object.values(await queues.discordLog.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')).reduce(
          (sum, count) => sum + count,
          0,
        );
      await eventually(async () => (await unfinished()) === 0, 60_000);
      expect(await boardDepth()).toBe(0);
      expect(await queues.discordLog.getFailedCount()).toBe(0);
      const jobs = await Promise.all(Array.from({ length: STORM_ERRORS }, (_, index) => queues.discordLog.getJob(jobId(index))));
      expect(jobs.filter((job) => job?.finishedOn === undefined || job.attemptsMade > 1)).toEqual([]);

      const messages = simulator.messages(LOG_CHANNEL).slice(messagesBefore);
      expect(messages.every((message) => (message.embeds ?? []).length <= 10)).toBe(true);
      // No 429 loop: the REST client learned the bucket from the headers and waited.
      const posts = simulator
        .requests()
        .slice(requestsBefore)
        .filter((request) => request.method === 'POST' && request.path === `/channels/${LOG_CHANNEL}/messages`);
      const refused = totalRefused() - refusedBefore;
      expect(refused).toBeLessThanOrEqual(2);
      expect(posts.length).toBe(messages.length + refused);
      process.stdout.write(
        `error storm (${label}): ${STORM_ERRORS} errors in ${STORM_SECONDS} s, ${messages.length} messages posted, ${refused} 429 answers, max board depth ${Math.max(...depths)}\n`,
      );
      return { messages, depths, refused };
    } finally {
      await worker.close();
    }
  };
  const totalRefused = () => Object.values(simulator.rateLimitRefusals()).reduce((sum, count) => sum + count, 0);
  const embedTexts = (messages: StormResult['messages']) =>
    messages.flatMap((message) => (message.embeds ?? []).map((embed) => JSON.stringify(embed)));

  it(`posts ${STORM_ERRORS} distinct errors raised in ${STORM_SECONDS} s, losing none, without a 429 loop`, async () => {
    const { messages } = await storm('distinct', (index) => stormError(index));
    const posted = embedTexts(messages);
    const missing = Array.from({ length: STORM_ERRORS }, (_, index) => code(index)).filter(
      (errorCode) => !posted.some((text) => text.includes(errorCode)),
    );
    expect(missing).toEqual([]);
    // Batched: about a tenth as many messages as errors.
    expect(messages.length).toBeLessThanOrEqual(STORM_ERRORS / 10 + STORM_SECONDS * 2);
  }, 90_000);

  it('posts a storm of repeated errors as counts, follow-ups batched too', async () => {
    const failures = STORM_ERRORS / STORM_SECONDS;
    // 50 failures, each raised once a second: dedupe windows of 3 s open and close for all of them together.
    const { messages } = await storm('repeated', (index) => stormError(index % failures, code(index, 'RPTD'), 'repeated'), 3000);
    // Every occurrence is counted once: in a posted embed (×N) or in a follow-up (repeated ×N).
    const counted = messages
      .flatMap((message) => message.embeds ?? [])
      .reduce((sum, embed) => sum + Number(/×(\d+)$/.exec(embed.title ?? '')?.[1] ?? 1), 0);
    expect(counted).toBe(STORM_ERRORS);
    // The follow-ups of windows closing together share messages: far fewer than one post per window.
    expect(messages.length).toBeLessThanOrEqual(STORM_ERRORS / 10 + STORM_SECONDS * 2);
  }, 90_000);

  it('retries a post Discord stored but whose answer was lost, and the channel holds one message (nonce + enforce_nonce)', async () => {
    const messagesBefore = simulator.messages(LOG_CHANNEL).length;
    const path = `/channels/${LOG_CHANNEL}/messages`;
    // Discord stores the first post, then the connection resets before its answer.
    const restore = simulator.failRequests({ method: 'POST', path, dropResponse: true, times: 1 });
    const worker = await openWorker();
    try {
      const jobId = 'lost-LOST0001';
      await queues.discordLog.add('log', stormError(0, 'LOST0001', 'lost answer'), {
        jobId,
        attempts: 3,
        backoff: { type: 'fixed', delay: 100 },
      });
      await eventually(async () => (await queues.discordLog.getJobState(jobId)) === 'completed', 20_000);
      const job = await queues.discordLog.getJob(jobId);
      // Retried once, after the lost answer.
      expect(job?.attemptsMade).toBe(2);
      const messages = simulator.messages(LOG_CHANNEL).slice(messagesBefore);
      expect(messages.map((message) => (message.embeds ?? []).map((embed) => embed.title))).toEqual([['Error LOST0001']]);
      expect(job?.returnvalue).toEqual({ posted: true, messageId: messages[0]?.id });
    } finally {
      restore();
      await worker.close();
    }
  }, 30_000);
});
