import { REST } from '@discordjs/rest';
import { createDiscordLogWorker } from '../src/queues/discord-log-worker';
import { runEntryPoint } from '../src/core/entry-point';
import { runWorkerProcess, workerSettings, type RunningWorker, type StartWorkerOptions } from './runtime';

export interface StartDiscordLogOptions extends StartWorkerOptions {
  /** Default: a client with `DISCORD_TOKEN` on `DISCORD_API_URL`. */
  rest?: REST;
  /** Default `ERROR_LOG_CHANNEL_ID`; `null`: none (jobs are skipped). */
  channelId?: string | null;
}

/** The Discord-log worker: posts each error's embed to the log channel. */
export async function startDiscordLogWorker(options: StartDiscordLogOptions = {}): Promise<RunningWorker> {
  const settings = workerSettings(options, 'discord-log');
  const { config } = settings;
  // Retries are the queue's (with backoff, visible on the board); REST itself still waits out 429s.
  const rest = options.rest ?? new REST({ api: config.DISCORD_API_URL, retries: 0, timeout: 10_000 }).setToken(config.DISCORD_TOKEN ?? '');
  const channelId = options.channelId === undefined ? config.ERROR_LOG_CHANNEL_ID : (options.channelId ?? undefined);
  const worker = createDiscordLogWorker({ ...settings, rest, channelId, concurrency: options.concurrency });
  await worker.waitUntilReady();
  return {
    worker,
    connection: settings.connection,
    async close() {
      await worker.close();
      await settings.connection.quit();
      // The REST client's sweeper timers would keep the process alive.
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
  };
}

if (require.main === module) runEntryPoint('discord-log', () => runWorkerProcess('discord-log', 9102, () => startDiscordLogWorker()));
