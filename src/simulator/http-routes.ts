import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { APIUser } from 'discord.js';
import type { CommandRegistry } from './commands';
import { DiscordApiError, apiErrors } from './errors';
import { pushBounded } from './bounded';
import { bodyOf, parseBody } from './http-body';
import type { FaultInjector } from './faults';
import type { InteractionTracker } from './interactions';
import { channelPayload, guildPayload, guildPreviewPayload } from './payloads/guild';
import { messagePayload, readMessageBody } from './payloads/message';
import { memberPayload, userPayload } from './payloads/user';
import type { SimulatorStore } from './store';

/** One HTTP request the simulator received (kept so tests can see what the bot called). */
export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The request carried the right `Authorization: Bot <token>`. */
  authorized: boolean;
  /** No route matched: the bot called something the simulator does not implement. */
  unknownRoute: boolean;
  body: unknown;
}

export interface RouteContext {
  token: string;
  applicationId: string;
  store: SimulatorStore;
  interactions: InteractionTracker;
  commands: CommandRegistry;
  requests: RequestRecord[];
  gatewayUrl: () => string;
  recommendedShards: number;
  maxConcurrency: number;
  /** IDENTIFYs so far, for session_start_limit.remaining. */
  identifyCount: () => number;
  botUser: () => APIUser;
  /** Failures a test asked for (`failRequests`), answered before any route. */
  faults: FaultInjector;
}

/** What a route handler answers: a JSON body with a status, or 204. */
type Answer = { status: number; body?: unknown };
const ok = (body: unknown): Answer => ({ status: 200, body });
const noContent: Answer = { status: 204 };
const SESSION_START_TOTAL = 1000;
const REQUEST_LOG_LIMIT = 10_000;
const unknownRoutes = new WeakSet<Request>();

function param(request: Request, name: string): string {
  const value = request.params[name];
  return typeof value === 'string' ? value : '';
}

function isAuthorized(request: Request, token: string): boolean {
  return request.headers.authorization === `Bot ${token}`;
}

/** Runs a handler and turns `DiscordApiError`s into Discord's `{ message, code }` answers. */
function route(handler: (request: Request) => Answer) {
  return (request: Request, response: Response): void => {
    let answer: Answer;
    try {
      answer = handler(request);
    } catch (error) {
      if (!(error instanceof DiscordApiError)) throw error;
      answer = { status: error.status, body: error.body };
    }
    if (answer.body === undefined) response.status(answer.status).end();
    else response.status(answer.status).json(answer.body);
  };
}

function queryFlag(request: Request, name: string): boolean {
  const value = request.query[name];
  return value === 'true' || value === '1';
}

/** The Discord REST API v10 subset the bot uses, under `/api/v10`. */
export function createHttpApp(context: RouteContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((request, response, next) => {
    response.on('finish', () => {
      pushBounded(context.requests, {
        at: Date.now(),
        method: request.method,
        path: request.path,
        query: Object.fromEntries(Object.entries(request.query).map(([key, value]) => [key, String(value)])),
        status: response.statusCode,
        authorized: isAuthorized(request, context.token),
        unknownRoute: unknownRoutes.has(request),
        body: bodyOf(request).json,
      }, REQUEST_LOG_LIMIT);
      context.store.changes.notify();
    });
    next();
  });
  app.use(express.raw({ type: () => true, limit: '25mb' }), parseBody);

  const open = express.Router();
  const bot = express.Router();
  bot.use((request: Request, response: Response, next: NextFunction) => {
    if (isAuthorized(request, context.token)) return next();
    const error = apiErrors.unauthorized();
    response.status(error.status).json(error.body);
  });
  addOpenRoutes(open, context);
  addBotRoutes(bot, context);
  app.use('/api/v10', (request: Request, response: Response, next: NextFunction) => {
    const fault = context.faults.match(request.method, request.path);
    if (!fault) return next();
    response.status(fault.status).json(fault.body);
  }, open, bot);
  app.use((request: Request, response: Response) => {
    unknownRoutes.add(request);
    const error = apiErrors.notFound();
    response.status(error.status).json(error.body);
  });
  return app;
}

/** Routes Discord serves without a bot token: the gateway URL, interaction callbacks and webhooks. */
function addOpenRoutes(router: express.Router, context: RouteContext): void {
  const { interactions } = context;
  router.get('/gateway', route(() => ok({ url: context.gatewayUrl() })));
  router.post('/interactions/:id/:token/callback', route((request) => {
    const { json, files } = bodyOf(request);
    const answer = interactions.callback(param(request, 'id'), param(request, 'token'), json, files);
    return queryFlag(request, 'with_response') ? ok(answer) : noContent;
  }));
  router.post('/webhooks/:appId/:token', route((request) => {
    const { json, files } = bodyOf(request);
    const message = interactions.followUp(param(request, 'appId'), param(request, 'token'), json, files);
    return queryFlag(request, 'wait') ? ok(message) : noContent;
  }));
  router.get('/webhooks/:appId/:token/messages/:messageId', route((request) =>
    ok(interactions.fetchMessage(param(request, 'appId'), param(request, 'token'), param(request, 'messageId'))),
  ));
  router.patch('/webhooks/:appId/:token/messages/:messageId', route((request) => {
    const { json, files } = bodyOf(request);
    return ok(interactions.editMessage(param(request, 'appId'), param(request, 'token'), param(request, 'messageId'), json, files));
  }));
  router.delete('/webhooks/:appId/:token/messages/@original', route((request) => {
    interactions.deleteOriginal(param(request, 'appId'), param(request, 'token'));
    return noContent;
  }));
}

/** Routes that need `Authorization: Bot <token>`. */
function addBotRoutes(router: express.Router, context: RouteContext): void {
  const { store, commands } = context;
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

  router.get('/gateway/bot', route(() => ok({
    url: context.gatewayUrl(),
    shards: context.recommendedShards,
    session_start_limit: {
      total: SESSION_START_TOTAL,
      remaining: Math.max(0, SESSION_START_TOTAL - context.identifyCount()),
      reset_after: 86_400_000,
      max_concurrency: context.maxConcurrency,
    },
  })));
  router.get('/users/@me', route(() => ok(context.botUser())));
  router.get('/users/@me/guilds', route(() => ok(store.joinedGuilds().map((guild) => ({
    id: guild.id, name: guild.name, icon: guild.icon, banner: null, owner: false, permissions: '0', features: guild.features,
  })))));
  router.get('/users/:id', route((request) => {
    const user = store.user(param(request, 'id'));
    if (!user) throw apiErrors.unknownUser();
    return ok(userPayload(user));
  }));
  router.get('/applications/@me', route(() => ok({
    id: context.applicationId, name: context.botUser().username, description: '', icon: null, bot_public: true,
    bot_require_code_grant: false, flags: 0, bot: context.botUser(), owner: context.botUser(), team: null, verify_key: '',
  })));
  router.get('/guilds/:id', route((request) => ok(guildPayload(joinedGuild(param(request, 'id')), { withCounts: queryFlag(request, 'with_counts') }))));
  router.get('/guilds/:id/preview', route((request) => {
    const guild = store.guild(param(request, 'id'));
    // Discord serves a preview to non-members only for discoverable (public) guilds.
    if (!guild || (!guild.discoverable && !guild.botInGuild)) throw apiErrors.unknownGuild();
    return ok(guildPreviewPayload(guild));
  }));
  router.get('/guilds/:id/channels', route((request) => {
    const guild = joinedGuild(param(request, 'id'));
    return ok(guild.channels.map((channel) => channelPayload(channel, guild.id)));
  }));
  router.get('/guilds/:id/members/:userId', route((request) => {
    const guild = joinedGuild(param(request, 'id'));
    const member = guild.members.find((candidate) => candidate.userId === param(request, 'userId'));
    const user = member && store.user(member.userId);
    if (!member || !user) throw apiErrors.unknownMember();
    return ok(memberPayload(member, user));
  }));
  /** A channel the bot can see: in a guild it is in, or one of its DMs. */
  const visibleChannel = (request: Request): string => {
    const channelId = param(request, 'id');
    const found = store.channel(channelId);
    if ((!found || !found.guild.botInGuild) && !store.isDmChannel(channelId)) throw apiErrors.unknownChannel();
    return channelId;
  };
  router.get('/channels/:id', route((request) => {
    const found = store.channel(visibleChannel(request));
    return ok(found ? channelPayload(found.channel, found.guild.id) : { id: param(request, 'id'), type: 1 });
  }));
  // Newest first, as Discord lists them.
  router.get('/channels/:id/messages', route((request) => ok(store.messages(visibleChannel(request)).reverse())));
  router.post('/channels/:id/messages', route((request) => {
    const channelId = visibleChannel(request);
    const { json, files } = bodyOf(request);
    const body = readMessageBody(json, { requireContent: true, files });
    const message = messagePayload(body, { id: store.snowflakes.next(), channelId, author: context.botUser(), files });
    store.addMessage(message);
    return ok(message);
  }));
  router.get('/applications/:appId/commands', route((request) => ok(commands.list(appCommandsFor(request)))));
  router.put('/applications/:appId/commands', route((request) => ok(commands.overwrite(bodyOf(request).json, appCommandsFor(request)))));
  router.get('/applications/:appId/guilds/:guildId/commands', route((request) => ok(commands.list(appCommandsFor(request)))));
  router.put('/applications/:appId/guilds/:guildId/commands', route((request) => ok(commands.overwrite(bodyOf(request).json, appCommandsFor(request)))));
}
