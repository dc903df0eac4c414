import type { Logger } from 'pino';
import { resolveRateLimits, type RateLimitOptions, type ResolvedRateLimits, type WindowLimit } from './rate-limits/limits';
import type { GuildSeed, UserSeed } from './types';

/** The bot account the simulator plays against. */
export const DEV_BOT_USER = { id: '1100000000000000001', username: 'Moddy' } as const;

/**
 * The token the simulator accepts by default: shaped like a real one (base64 of the bot ID, then
 * two more parts) so code that splits tokens works, and obviously not a secret.
 */
export const DEV_TOKEN = `${Buffer.from(DEV_BOT_USER.id).toString('base64url')}.c2ltdWxhdG9y.moddy-simulator-dev-token`;

export interface DiscordSimulatorOptions {
  /** Interface to listen on. Default: 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one (`start()` resolves with the bound URL). Default: 0. */
  port?: number;
  /** The bot token accepted by REST (`Authorization: Bot …`) and IDENTIFY. Default: `DEV_TOKEN`. */
  token?: string;
  /** The bot's user. Default: `DEV_BOT_USER`. */
  botUser?: { id: string; username: string };
  /** Application ID (READY's `application.id`, interaction `application_id`). Default: the bot user's ID. */
  applicationId?: string;
  /**
   * `session_start_limit.max_concurrency` of `/gateway/bot`, enforced: shards identify in buckets
   * `shard_id % max_concurrency`, one IDENTIFY per bucket per `identifyWindowMs`. Default: 16.
   */
  maxConcurrency?: number;
  /** The pacing window of identify buckets; a faster IDENTIFY in the same bucket is refused (INVALID_SESSION). Default: 5000, Discord's. */
  identifyWindowMs?: number;
  /** `session_start_limit.total`: IDENTIFYs allowed per 24 h; each one counts `remaining` down, none left closes with 4004. Default: 1000. */
  sessionStartLimit?: number;
  /** The application's flags: which privileged intents are approved (see `ApplicationFlag`); others close with 4014. Default: 0 (none). */
  applicationFlags?: number;
  /** REST rate limits (see `RateLimitOptions`); `false` turns them all off, for a test that floods on purpose. Default: Discord's. */
  rateLimits?: RateLimitOptions | false;
  /** A connection that sends no heartbeat for this long is closed with 4009 (the session stays resumable). Default: 2 × `heartbeatIntervalMs` (a late heartbeat is not a dead client). */
  heartbeatTimeoutMs?: number;
  /** Frames a client may send per window before the gateway closes it with 4008. Default: 120 per 60 s, Discord's. */
  gatewaySendLimit?: WindowLimit;
  /** `shards` of `/gateway/bot`. Default: 1. */
  recommendedShards?: number;
  /** HELLO's `heartbeat_interval`. Default: 41250 (Discord's); tests use a short one. */
  heartbeatIntervalMs?: number;
  /** How long the bot has to call the interaction callback. Default: 3000, as on Discord. */
  interactionResponseWindowMs?: number;
  /** Guilds that exist at start (the bot is in them unless `botInGuild: false`). Default: none. */
  guilds?: GuildSeed[];
  /** Users that exist at start (members of the seeded guilds, interaction authors…). Default: none. */
  users?: UserSeed[];
  /** Default: `createLogger('simulator')`. */
  logger?: Logger;
}

export type ResolvedSimulatorOptions = Required<Omit<DiscordSimulatorOptions, 'logger' | 'rateLimits'>> & {
  rateLimits: ResolvedRateLimits;
};

export function resolveOptions(options: DiscordSimulatorOptions): ResolvedSimulatorOptions {
  const botUser = options.botUser ?? DEV_BOT_USER;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    token: options.token ?? DEV_TOKEN,
    botUser,
    applicationId: options.applicationId ?? botUser.id,
    maxConcurrency: options.maxConcurrency ?? 16,
    recommendedShards: options.recommendedShards ?? 1,
    identifyWindowMs: options.identifyWindowMs ?? 5000,
    sessionStartLimit: options.sessionStartLimit ?? 1000,
    applicationFlags: options.applicationFlags ?? 0,
    rateLimits: resolveRateLimits(options.rateLimits),
    heartbeatIntervalMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? heartbeatIntervalMs * 2,
    gatewaySendLimit: options.gatewaySendLimit ?? { limit: 120, windowMs: 60_000 },
    interactionResponseWindowMs: options.interactionResponseWindowMs ?? 3000,
    guilds: options.guilds ?? [],
    users: options.users ?? [],
  };
}
