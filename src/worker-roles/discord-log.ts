import { REST } from '@discordjs/rest';
import { createDiscordLogWorker } from '../queues/discord-log-worker';
import { workerSettings, type RunningWorker, type StartWorkerOptions } from './runtime';

export interface StartDiscordLogOptions extends StartWorkerOptions {
  /** Default: a client with `DISCORD_TOKEN` on `DISCORD_API_URL`. */
  rest?: REST;
  /** Default `ERROR_LOG_CHANNEL_ID`; `null`: none (jobs are skipped). */
  channelId?: string | null;
  /** Default `DISCORD_LOG_BATCH_WINDOW_MS`. */
  batchWindowMs?: number;
  /** Default `DISCORD_LOG_DEDUPE_WINDOW_SECONDS` × 1000. */
  dedupeWindowMs?: number;
}

/** The Discord-log worker: posts the errors' embeds to the log channel, grouped and deduplicated. */
export async function startDiscordLogWorker(options: StartDiscordLogOptions): Promise<RunningWorker> {
  const settings = workerSettings(options, 'discord-log');
  const { config } = settings;
  // Retries are the queue's (with backoff, visible on the board); REST itself still waits out 429s.
  const rest = options.rest ?? new REST({ api: config.DISCORD_API_URL, retries: 0, timeout: 10_000 }).setToken(config.DISCORD_TOKEN ?? '');
  const channelId = options.channelId === undefined ? config.ERROR_LOG_CHANNEL_ID : (options.channelId ?? undefined);
  const logWorker = createDiscordLogWorker({
    ...settings,
    rest,
    channelId,
    concurrency: options.concurrency,
    batchWindowMs: options.batchWindowMs ?? config.DISCORD_LOG_BATCH_WINDOW_MS,
    dedupeWindowMs: options.dedupeWindowMs ?? config.DISCORD_LOG_DEDUPE_WINDOW_SECONDS * 1000,
  });
  await logWorker.worker.waitUntilReady();
  return {
    worker: logWorker.worker,
    connection: settings.connection,
    checks: {
      // Not ready while Discord refuses the log channel: error logs are failing for good.
      discord: async () => {
        const refusals = logWorker.refusals();
        return { ok: refusals.length === 0, detail: refusals.length === 0 ? { channelId: channelId ?? null } : { refusals } };
      },
    },
    async close() {
      await logWorker.close();
      await settings.connection.quit();
      // The REST client's sweeper timers would keep the process alive.
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
  };
}
