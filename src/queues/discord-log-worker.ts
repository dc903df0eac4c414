import type { REST } from '@discordjs/rest';
import { Worker, type Job } from 'bullmq';
import { buildErrorEmbed } from './discord-embed';
import type { ErrorJobData } from './job-data';
import { QUEUE_NAMES } from './names';
import { bullWorkerOptions, type BaseWorkerOptions, type WorkerLogger } from './worker-options';

export interface DiscordLogWorkerOptions extends BaseWorkerOptions {
  /** A REST client with the bot's token, on `DISCORD_API_URL`; it waits out Discord's rate limits. */
  rest: REST;
  /** `ERROR_LOG_CHANNEL_ID`; unset: jobs are completed without posting (one warning per process). */
  channelId: string | undefined;
}

export type DiscordLogResult = { posted: true; messageId: string } | { posted: false; reason: 'no-log-channel' };

/**
 * Posts each error's embed to the log channel. A failed post is retried with backoff (the queue's
 * job options); after the last attempt the job stays in the failed set, visible on the board.
 */
export function createDiscordLogWorker(options: DiscordLogWorkerOptions): Worker<ErrorJobData, DiscordLogResult> {
  let warned = false;
  const worker = new Worker<ErrorJobData, DiscordLogResult>(
    QUEUE_NAMES.discordLog,
    async (job: Job<ErrorJobData>) => {
      if (options.channelId === undefined) {
        if (!warned) options.logger.warn('discord-log: ERROR_LOG_CHANNEL_ID is not set; error logs are not posted');
        warned = true;
        return { posted: false, reason: 'no-log-channel' };
      }
      const message = (await options.rest.post(`/channels/${options.channelId}/messages`, {
        body: { embeds: [buildErrorEmbed(job.data)], allowed_mentions: { parse: [] } },
      })) as { id: string };
      return { posted: true, messageId: message.id };
    },
    // Posts are rate limited by Discord: a handful in flight is plenty.
    bullWorkerOptions({ ...options, concurrency: options.concurrency ?? 5 }),
  );
  worker.on('error', (error) => options.logger.warn({ err: error }, 'discord-log: worker error'));
  worker.on('failed', (job, error) => options.logger.warn({ err: error, code: job?.id, attempt: job?.attemptsMade }, 'discord-log: post failed'));
  return worker;
}
