import type { Logger } from 'pino';
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
  /** `session_start_limit.max_concurrency` of `/gateway/bot`. Default: 16. */
  maxConcurrency?: number;
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

export type ResolvedSimulatorOptions = Required<Omit<DiscordSimulatorOptions, 'logger'>>;

export function resolveOptions(options: DiscordSimulatorOptions): ResolvedSimulatorOptions {
  const botUser = options.botUser ?? DEV_BOT_USER;
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    token: options.token ?? DEV_TOKEN,
    botUser,
    applicationId: options.applicationId ?? botUser.id,
    maxConcurrency: options.maxConcurrency ?? 16,
    recommendedShards: options.recommendedShards ?? 1,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    interactionResponseWindowMs: options.interactionResponseWindowMs ?? 3000,
    guilds: options.guilds ?? [],
    users: options.users ?? [],
  };
}
