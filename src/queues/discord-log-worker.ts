import { DiscordAPIError, HTTPError, type REST } from '@discordjs/rest';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { buildGroupedErrorEmbed, buildRepeatsEmbed, type LogEmbed } from './discord-embed';
import { chunkEmbeds, errorFingerprint, groupByFingerprint, messageNonce } from './discord-log-batch';
import { RepeatCounter } from './discord-log-repeats';
import type { ErrorJobData } from './job-data';
import { MicroBatcher } from './micro-batch';
import { QUEUE_NAMES } from './names';
import { DISCORD_LOG_JOB_OPTIONS } from './queues';
import { bullWorkerOptions, type BaseWorkerOptions } from './worker-options';

export interface DiscordLogWorkerOptions extends BaseWorkerOptions {
  /** A REST client with the bot's token, on `DISCORD_API_URL`; it waits out Discord's rate limits (`retry_after`). */
  rest: REST;
  /** `ERROR_LOG_CHANNEL_ID`; unset: jobs are completed without posting (one warning per process). */
  channelId: string | undefined;
  /** `DISCORD_LOG_BATCH_WINDOW_MS`: how long an error waits for others to be posted with it. Default 2000 ms. */
  batchWindowMs?: number;
  /** `DISCORD_LOG_DEDUPE_WINDOW_SECONDS` in ms: identical errors after a post are counted this long, then posted once. Default 60 000 ms. */
  dedupeWindowMs?: number;
}

/** The follow-up job of a dedupe window: posts how many errors identical to `sample` came after `windowCode`. */
export interface RepeatsJobData {
  fingerprint: string;
  sample: ErrorJobData;
  /** Code of the error whose post opened the window. */
  windowCode: string;
}

export type DiscordLogJobData = ErrorJobData | RepeatsJobData;

/** Name of the follow-up jobs in the Discord-log queue (the tracker's jobs are named `log`). */
export const REPEATS_JOB_NAME = 'repeats';

export type DiscordLogResult =
  | { posted: true; messageId: string }
  | { posted: false; reason: 'no-log-channel' | 'no-repeats' }
  /** Identical to an error posted within the window: counted for its follow-up post. */
  | { posted: false; reason: 'repeat'; fingerprint: string };

/** A channel Discord refuses posts to, and its answer. */
export interface ChannelRefusal {
  channelId: string;
  status: number;
  message: string;
}

export interface DiscordLogWorker {
  worker: Worker<DiscordLogJobData, DiscordLogResult>;
  /** Channels refusing posts now (cleared by the next accepted post): what the worker's `/ready` reports. */
  refusals(): ChannelRefusal[];
  /** Finishes the active jobs (their batch is posted), then closes the worker and its queue handle. */
  close(): Promise<void>;
}

/** A job waiting for its batch: an error, or the follow-up of a dedupe window. */
type PendingPost = { channel: string; outcome?: DiscordLogResult | Error } & (
  | { kind: 'error'; data: ErrorJobData }
  /** `jobId`: the follow-up job's, the same across its retries; a window's second follow-up is another job. */
  | { kind: 'repeats'; data: RepeatsJobData; jobId: string }
);
type PendingError = Extract<PendingPost, { kind: 'error' }>;

/** One embed of a batch, and what its post (or failure) settles. */
interface OutgoingEmbed {
  embed: LogEmbed;
  /** What the embed stands for, for its message's nonce (`messageNonce`). */
  key: string;
  posted(messageId: string): Promise<void>;
  failed(error: Error): Promise<void>;
}

/**
 * Posts errors to the log channel, as the best-run bots do: errors arriving together are posted
 * together (up to 10 embeds a message); identical ones within the dedupe window are one embed with
 * a count, then one follow-up embed counting the rest, batched like the errors (a storm's windows
 * close together); a permanent refusal by Discord (4xx but 429: unknown channel, missing access,
 * bad token) fails the jobs at once (UnrecoverableError, no retry)
 * with one log line per channel, not one per job; other failures are retried with the queue's
 * backoff, and rate limits are waited out by the REST client.
 */
export function createDiscordLogWorker(options: DiscordLogWorkerOptions): DiscordLogWorker {
  const { channelId, logger } = options;
  const dedupeWindowMs = options.dedupeWindowMs ?? 60_000;
  const followUps = new Queue<RepeatsJobData>(QUEUE_NAMES.discordLog, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: DISCORD_LOG_JOB_OPTIONS,
  });
  followUps.on('error', (error) => logger.warn({ err: error }, 'discord-log: queue error'));
  const repeats = new RepeatCounter({ redis: options.connection, prefix: options.prefix, windowMs: dedupeWindowMs });
  const refusals = new RefusalLog(logger);
  // Jobs wait in the batcher, posts are few: many jobs in flight let a burst be grouped.
  const concurrency = options.concurrency ?? 100;

  const post = async (channel: string, message: readonly OutgoingEmbed[]): Promise<string> => {
    const body = {
      embeds: message.map((entry) => entry.embed),
      allowed_mentions: { parse: [] },
      // A retry of a post Discord stored but never answered gets the stored message back: no double post.
      nonce: messageNonce(message.map((entry) => entry.key)),
      enforce_nonce: true,
    };
    try {
      const posted = (await options.rest.post(`/channels/${channel}/messages`, { body })) as { id: string };
      refusals.cleared(channel);
      return posted.id;
    } catch (error) {
      if (!isPermanent(error)) throw error;
      refusals.refused(channel, error);
      throw new UnrecoverableError(`Discord refuses posts to channel ${channel}: ${error.status} ${error.message}`);
    }
  };

  const errorEmbeds = async (pending: PendingError[]): Promise<OutgoingEmbed[]> => {
    const outgoing: OutgoingEmbed[] = [];
    for (const group of groupByFingerprint(pending, (item) => errorFingerprint(item.data))) {
      const first = group.items[0]?.data;
      const settle = (outcome: DiscordLogResult | Error) => group.items.forEach((item) => (item.outcome = outcome));
      if (first && (await repeats.claim(group.fingerprint, first.errorCode))) {
        outgoing.push({
          embed: buildGroupedErrorEmbed(group.items.map((item) => item.data)),
          key: group.items.map((item) => item.data.errorCode).join(','),
          posted: async (messageId) => settle({ posted: true, messageId }),
          failed: async (error) => {
            await repeats.release(group.fingerprint);
            settle(error);
          },
        });
      } else {
        const counted = await repeats.add(
          group.fingerprint,
          group.items.map((item) => item.data.errorCode),
        );
        if (counted.first && first) {
          const windowCode = counted.windowCode ?? first.errorCode;
          // One follow-up due at a time (RepeatCounter's flag), whichever worker counts first.
          await followUps.add(
            REPEATS_JOB_NAME,
            { fingerprint: group.fingerprint, sample: first, windowCode },
            { delay: counted.windowMsLeft },
          );
        }
        settle({ posted: false, reason: 'repeat', fingerprint: group.fingerprint });
      }
    }
    return outgoing;
  };

  /** A follow-up's embed, sharing its message with whatever else is posted then (a storm's windows close together). */
  const repeatsEmbed = async (item: PendingPost & { kind: 'repeats' }): Promise<OutgoingEmbed | null> => {
    const { data } = item;
    const { count, codes } = await repeats.read(data.fingerprint);
    if (count <= 0) {
      item.outcome = { posted: false, reason: 'no-repeats' };
      return null;
    }
    return {
      embed: buildRepeatsEmbed(data.sample, data.windowCode, count, codes, Math.round(dedupeWindowMs / 1000)),
      // The count too: a retry that counts more posts anew rather than get the smaller count back.
      key: `repeats:${item.jobId}:${count}`,
      posted: async (messageId) => {
        // Repeats counted while this was being posted get a follow-up of their own.
        if ((await repeats.settle(data.fingerprint, count)) > 0) {
          await followUps.add(REPEATS_JOB_NAME, data);
        }
        item.outcome = { posted: true, messageId };
      },
      failed: async (error) => {
        item.outcome = error;
      },
    };
  };

  const postBatch = async (channel: string, pending: PendingPost[]): Promise<void> => {
    const outgoing = await errorEmbeds(pending.filter((item): item is PendingError => item.kind === 'error'));
    for (const item of pending) {
      if (item.kind !== 'repeats') continue;
      const embed = await repeatsEmbed(item);
      if (embed) outgoing.push(embed);
    }
    for (const message of chunkEmbeds(outgoing)) {
      let messageId: string;
      try {
        messageId = await post(channel, message);
      } catch (error) {
        if (!(error instanceof UnrecoverableError))
          logger.warn({ err: error, errors: message.length }, 'discord-log: post failed; its errors are retried');
        for (const entry of message) await entry.failed(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      for (const entry of message)
        await entry.posted(messageId).catch((error: unknown) => entry.failed(error instanceof Error ? error : new Error(String(error))));
    }
  };

  const postPending = async (pending: PendingPost[]): Promise<void> => {
    for (const channel of new Set(pending.map((item) => item.channel))) {
      await postBatch(
        channel,
        pending.filter((item) => item.channel === channel),
      );
    }
  };

  const batcher = new MicroBatcher<PendingPost>(postPending, {
    maxSize: concurrency,
    maxWaitMs: options.batchWindowMs ?? 2000,
  });

  let warned = false;
  const worker = new Worker<DiscordLogJobData, DiscordLogResult>(
    QUEUE_NAMES.discordLog,
    async (job: Job<DiscordLogJobData>) => {
      if (channelId === undefined) {
        if (!warned) logger.warn('discord-log: ERROR_LOG_CHANNEL_ID is not set; error logs are not posted');
        warned = true;
        return { posted: false, reason: 'no-log-channel' };
      }
      const item: PendingPost =
        job.name === REPEATS_JOB_NAME
          ? { kind: 'repeats', channel: channelId, data: job.data as RepeatsJobData, jobId: job.id ?? '' }
          : { kind: 'error', channel: channelId, data: job.data as ErrorJobData };
      await batcher.add(item);
      if (item.outcome === undefined || item.outcome instanceof Error)
        throw item.outcome ?? new Error('discord-log: the batch left this error without an outcome');
      return item.outcome;
    },
    bullWorkerOptions({ ...options, concurrency }),
  );
  worker.on('error', (error) => logger.warn({ err: error }, 'discord-log: worker error'));
  return {
    worker,
    refusals: () => refusals.current(),
    async close() {
      await worker.close();
      await batcher.drain();
      await followUps.close();
    },
  };
}

/** Discord answered "never": a 4xx other than 429 (rate limits are waited out, not failures). */
function isPermanent(error: unknown): error is DiscordAPIError | HTTPError {
  return (
    (error instanceof DiscordAPIError || error instanceof HTTPError) && error.status >= 400 && error.status < 500 && error.status !== 429
  );
}

/** One log line when a channel starts refusing posts (and one when it accepts them again), not one per job. */
class RefusalLog {
  private readonly refusing = new Map<string, ChannelRefusal>();

  constructor(private readonly logger: DiscordLogWorkerOptions['logger']) {}

  current(): ChannelRefusal[] {
    return [...this.refusing.values()];
  }

  refused(channel: string, error: DiscordAPIError | HTTPError): void {
    if (this.refusing.has(channel)) return;
    this.refusing.set(channel, { channelId: channel, status: error.status, message: error.message });
    const code = error instanceof DiscordAPIError ? error.code : undefined;
    this.logger.error(
      { channelId: channel, status: error.status, discordCode: code },
      `discord-log: Discord refuses posts to channel ${channel} (${error.status} ${error.message}); error logs fail without retry until the channel, the bot's access or the token is fixed (ERROR_LOG_CHANNEL_ID)`,
    );
  }

  cleared(channel: string): void {
    if (this.refusing.delete(channel)) this.logger.info({ channelId: channel }, `discord-log: channel ${channel} accepts posts again`);
  }
}
