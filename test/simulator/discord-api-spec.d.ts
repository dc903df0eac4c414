/**
 * discord-api-spec ships its zod schemas as an untyped ES module (jest loads it through the
 * transform in jest.config.js); these are the schemas the simulator's responses are checked against.
 */
declare module 'discord-api-spec/zod' {
  import type { ZodMiniType } from 'zod/mini';

  export const ApplicationCommandResponseSchema: ZodMiniType;
  export const ErrorResponseSchema: ZodMiniType;
  export const ErrorSchema: ZodMiniType;
  export const GatewayBotResponseSchema: ZodMiniType;
  export const GatewayResponseSchema: ZodMiniType;
  export const GuildChannelResponseSchema: ZodMiniType;
  export const GuildMemberResponseSchema: ZodMiniType;
  export const GuildPreviewResponseSchema: ZodMiniType;
  export const GuildWithCountsResponseSchema: ZodMiniType;
  export const InteractionCallbackResponseSchema: ZodMiniType;
  export const MessageResponseSchema: ZodMiniType;
  export const MyGuildResponseSchema: ZodMiniType;
  export const PrivateApplicationResponseSchema: ZodMiniType;
  export const PrivateChannelResponseSchema: ZodMiniType;
  export const PrivateGroupChannelResponseSchema: ZodMiniType;
  export const RatelimitedResponseSchema: ZodMiniType;
  export const ThreadResponseSchema: ZodMiniType;
  export const UserPIIResponseSchema: ZodMiniType;
  export const UserResponseSchema: ZodMiniType;
}
