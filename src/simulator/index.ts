export { DiscordSimulator, type SendInteractionOptions, type InteractionHandle } from './simulator';
export { DEV_TOKEN, DEV_BOT_USER, type DiscordSimulatorOptions } from './options';
export { SimulatorTimeoutError, SimulatorInputError, DiscordApiError } from './errors';
export { shardForGuild, SnowflakeFactory } from './snowflake';
export { seedWorld, type SeedOptions, type SeededWorld } from './seed';
export type { InteractionReply } from './interactions';
export type { OptionValue } from './payloads/interaction';
export type { RequestRecord } from './http-routes';
export type { GuildSeed, UserSeed, ChannelSeed, RoleSeed, MemberSeed, GuildRecord, UserRecord } from './types';
