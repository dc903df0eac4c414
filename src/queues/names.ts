/**
 * The project's BullMQ queues. Their keys are `<prefix>:<name>:…`; the cache tier owns
 * `<prefix>:v<digits>:…`, so no queue may be named `v<digits>`.
 */
export const QUEUE_NAMES = {
  /** Errors to insert into `errors` (batched by the error-persistence worker). */
  errorPersistence: 'error-persistence',
  /** Errors to post to the Discord log channel. */
  discordLog: 'error-discord-log',
  /** Scheduled cleanups (retention, guilds cache, stale cache keys). */
  maintenance: 'maintenance',
} as const;

export type QueueRole = keyof typeof QUEUE_NAMES;
