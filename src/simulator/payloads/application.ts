import type { APIUser } from 'discord.js';

/** Application flags that approve privileged gateway intents (limited flags count as approved, as on Discord). */
export const ApplicationFlag = {
  GatewayPresence: 1 << 12,
  GatewayPresenceLimited: 1 << 13,
  GatewayGuildMembers: 1 << 14,
  GatewayGuildMembersLimited: 1 << 15,
  GatewayMessageContent: 1 << 18,
  GatewayMessageContentLimited: 1 << 19,
} as const;

/** `GET /applications/@me`: the bot's own application, as its owner sees it. */
export function applicationPayload(id: string, bot: APIUser, flags: number) {
  return {
    id,
    name: bot.username,
    icon: null,
    description: '',
    type: null,
    flags,
    flags_new: String(flags),
    bot,
    bot_public: true,
    bot_require_code_grant: false,
    rpc_origins: [],
    verify_key: '0'.repeat(64),
    redirect_uris: [],
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
    owner: bot,
    team: null,
    approximate_guild_count: 0,
    approximate_user_install_count: 0,
    approximate_user_authorization_count: 0,
    integration_types_config: { '0': {} },
    explicit_content_filter: 0,
    tags: [],
    eligible_oauth2_scopes: [],
  };
}
