import type { NextFunction, Request, Response, Router } from 'express';
import { apiErrors } from './simulator-errors';
import { bodyOf } from './http-body';
import { ok, param, queryFlag, route, sendError, type Answer } from './http-answer';
import { applicationPayload } from './payloads/application';
import { channelPayload, dmChannelPayload, guildPayload, guildPreviewPayload, partialGuildPayload } from './payloads/guild';
import { messagePayload, readMessageBody } from './payloads/message';
import { mentionsIn } from './payloads/mentions';
import { memberPayload, userPayload } from './payloads/user';
import type { RouteContext } from './http-routes';
import type { MessagePage } from './store';

const SESSION_START_RESET_MS = 86_400_000;

/** Whether a request carries the right `Authorization: Bot <token>`. */
export function isAuthorized(request: Request, token: string): boolean {
  return request.headers.authorization === `Bot ${token}`;
}

/** `limit` (1–100, default 50) and one of `around`/`before`/`after`, as Discord reads them. */
function messagePage(request: Request): MessagePage {
  const text = (name: string) => (typeof request.query[name] === 'string' ? (request.query[name] as string) : undefined);
  const limit = text('limit') === undefined ? 50 : Number(text('limit'));
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw apiErrors.invalidFormBody({ path: 'limit', code: 'NUMBER_TYPE_MAX', message: 'Int value should be between 1 and 100.' });
  }
  for (const name of ['around', 'before', 'after']) {
    const value = text(name);
    if (value !== undefined && !/^\d{1,20}$/.test(value))
      throw apiErrors.invalidFormBody({ path: name, code: 'NUMBER_TYPE_COERCE', message: `Value "${value}" is not snowflake.` });
  }
  return { limit, around: text('around'), before: text('before'), after: text('after') };
}

/** Routes that need `Authorization: Bot <token>`; each checks it, so an unknown route stays 404 without one. */
export function addBotRoutes(router: Router, context: RouteContext): void {
  const { store, commands } = context;
  const requireBot = (request: Request, response: Response, next: NextFunction): void => {
    if (isAuthorized(request, context.token)) next();
    else sendError(response, apiErrors.unauthorized());
  };
  const get = (path: string, handler: (request: Request) => Answer) => router.get(path, requireBot, route(handler));
  const post = (path: string, handler: (request: Request) => Answer) => router.post(path, requireBot, route(handler));
  const put = (path: string, handler: (request: Request) => Answer) => router.put(path, requireBot, route(handler));
  const joinedGuild = (id: string) => {
    const guild = store.guild(id);
    if (!guild) throw apiErrors.unknownGuild();
    // Discord answers Missing Access for a guild that exists but the bot is not in.
    if (!guild.botInGuild) throw apiErrors.missingAccess();
    return guild;
  };
  const appCommandsFor = (request: Request) => {
    if (param(request, 'appId') !== context.applicationId) throw apiErrors.missingAccess();
    const guildId = param(request, 'guildId');
    if (guildId) joinedGuild(guildId);
    return guildId || undefined;
  };
  /** A channel the bot can see: in a guild it is in, or one of its DMs. */
  const visibleChannel = (request: Request): string => {
    const channelId = param(request, 'id');
    const found = store.channel(channelId);
    if ((!found || !found.guild.botInGuild) && !store.dmRecipient(channelId)) throw apiErrors.unknownChannel();
    return channelId;
  };

  get('/gateway/bot', () =>
    ok({
      url: context.gatewayUrl(),
      shards: context.recommendedShards,
      session_start_limit: { ...context.sessionStarts(), reset_after: SESSION_START_RESET_MS, max_concurrency: context.maxConcurrency },
    }),
  );
  get('/users/@me', () => ok({ ...context.botUser(), mfa_enabled: false, locale: 'en-US', verified: true, email: null, premium_type: 0 }));
  get('/users/@me/guilds', (request) =>
    ok(store.joinedGuilds().map((guild) => partialGuildPayload(guild, queryFlag(request, 'with_counts')))),
  );
  get('/users/:id', (request) => {
    const user = store.user(param(request, 'id'));
    if (!user) throw apiErrors.unknownUser();
    return ok(userPayload(user));
  });
  get('/applications/@me', () => ok(applicationPayload(context.applicationId, context.botUser(), context.applicationFlags)));
  get('/guilds/:id', (request) => ok(guildPayload(joinedGuild(param(request, 'id')), { withCounts: queryFlag(request, 'with_counts') })));
  get('/guilds/:id/preview', (request) => {
    const guild = store.guild(param(request, 'id'));
    // Discord serves a preview to non-members only for discoverable (public) guilds.
    if (!guild || (!guild.discoverable && !guild.botInGuild)) throw apiErrors.unknownGuild();
    return ok(guildPreviewPayload(guild));
  });
  get('/guilds/:id/channels', (request) => {
    const guild = joinedGuild(param(request, 'id'));
    return ok(guild.channels.map((channel) => channelPayload(channel, guild.id)));
  });
  get('/guilds/:id/members/:userId', (request) => {
    const guild = joinedGuild(param(request, 'id'));
    const member = guild.members.find((candidate) => candidate.userId === param(request, 'userId'));
    const user = member && store.user(member.userId);
    if (!member || !user) throw apiErrors.unknownMember();
    return ok(memberPayload(member, user));
  });
  get('/channels/:id', (request) => {
    const channelId = visibleChannel(request);
    const found = store.channel(channelId);
    const recipient = store.dmRecipient(channelId);
    if (found) return ok(channelPayload(found.channel, found.guild.id));
    if (!recipient) throw apiErrors.unknownChannel();
    return ok(dmChannelPayload(channelId, userPayload(recipient)));
  });
  get('/channels/:id/messages', (request) => ok(store.messagePage(visibleChannel(request), messagePage(request))));
  post('/channels/:id/messages', (request) => {
    const channelId = visibleChannel(request);
    const { json, files } = bodyOf(request);
    const body = readMessageBody(json, { requireContent: true, files });
    const author = context.botUser();
    const original = body.enforce_nonce === true && body.nonce !== undefined ? store.nonces.recent(author.id, body.nonce) : undefined;
    if (original) return ok(original);
    const message = messagePayload(body, {
      id: store.snowflakes.next(),
      channelId,
      author,
      files,
      mentions: mentionsIn(body.content, store),
    });
    store.addMessage(message);
    return ok(message);
  });
  get('/applications/:appId/commands', (request) => ok(commands.list(appCommandsFor(request))));
  put('/applications/:appId/commands', (request) => ok(commands.overwrite(bodyOf(request).json, appCommandsFor(request))));
  get('/applications/:appId/guilds/:guildId/commands', (request) => ok(commands.list(appCommandsFor(request))));
  put('/applications/:appId/guilds/:guildId/commands', (request) => ok(commands.overwrite(bodyOf(request).json, appCommandsFor(request))));
}
