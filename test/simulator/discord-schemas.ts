import * as spec from 'discord-api-spec/zod';
import * as z from 'zod/mini';
import type { ZodMiniType } from 'zod/mini';

/**
 * Discord's published response schemas: its OpenAPI description (github.com/discord/discord-api-spec,
 * MIT), compiled to zod by the discord-api-spec npm package (MIT, pinned in package.json, so a new
 * description is a deliberate upgrade) for every route the simulator serves, by `METHOD /path` with `:id`/`:token`
 * as the simulator's rate limiter names routes. A 204 has no schema.
 */
const channel = z.union([
  spec.GuildChannelResponseSchema,
  spec.PrivateChannelResponseSchema,
  spec.PrivateGroupChannelResponseSchema,
  spec.ThreadResponseSchema,
]);

export const SUCCESS_SCHEMAS: Record<string, ZodMiniType> = {
  'GET /gateway': spec.GatewayResponseSchema,
  'GET /gateway/bot': spec.GatewayBotResponseSchema,
  'GET /users/@me': spec.UserPIIResponseSchema,
  'GET /users/@me/guilds': z.array(spec.MyGuildResponseSchema),
  'GET /users/:id': spec.UserResponseSchema,
  'GET /applications/@me': spec.PrivateApplicationResponseSchema,
  'GET /guilds/:id': spec.GuildWithCountsResponseSchema,
  'GET /guilds/:id/preview': spec.GuildPreviewResponseSchema,
  'GET /guilds/:id/channels': z.array(channel),
  'GET /guilds/:id/members/:id': spec.GuildMemberResponseSchema,
  'GET /channels/:id': channel,
  'GET /channels/:id/messages': z.array(spec.MessageResponseSchema),
  'POST /channels/:id/messages': spec.MessageResponseSchema,
  'POST /interactions/:id/:token/callback': spec.InteractionCallbackResponseSchema,
  'POST /webhooks/:id/:token': spec.MessageResponseSchema,
  'GET /webhooks/:id/:token/messages/:id': spec.MessageResponseSchema,
  'PATCH /webhooks/:id/:token/messages/:id': spec.MessageResponseSchema,
  'DELETE /webhooks/:id/:token/messages/:id': z.never(),
  'GET /applications/:id/commands': z.array(spec.ApplicationCommandResponseSchema),
  'PUT /applications/:id/commands': z.array(spec.ApplicationCommandResponseSchema),
  'GET /applications/:id/guilds/:id/commands': z.array(spec.ApplicationCommandResponseSchema),
  'PUT /applications/:id/guilds/:id/commands': z.array(spec.ApplicationCommandResponseSchema),
};

/**
 * Discord's error body with its `errors` tree. The published description types a leaf's `code` as a
 * number, but the API (and Discord's own documented example) sends strings such as
 * `BASE_TYPE_REQUIRED`, which clients print; so leaves are checked as the API sends them.
 */
const errorLeaf = z.object({ code: z.string(), message: z.string() });
const errorTree: ZodMiniType = z.record(z.string(), z.union([z.array(errorLeaf), z.lazy(() => errorTree)]));
const formErrorSchema = z.intersection(spec.ErrorSchema, z.object({ errors: z.optional(errorTree) }));

/** The schema a response must match: the route's for 2xx, Discord's error shapes otherwise. */
export function schemaFor(route: string, status: number, body: unknown): ZodMiniType | undefined {
  if (status === 429) return spec.RatelimitedResponseSchema;
  if (status >= 400) return typeof body === 'object' && body !== null && 'errors' in body ? formErrorSchema : spec.ErrorResponseSchema;
  return SUCCESS_SCHEMAS[route];
}
