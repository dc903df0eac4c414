import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { APIUser } from 'discord.js';
import { addBotRoutes, isAuthorized } from './bot-routes';
import type { CommandRegistry } from './commands';
import { apiErrors } from './simulator-errors';
import { pushBounded } from './bounded';
import { bodyOf, parseBody } from './http-body';
import { dropResponse, noContent, ok, param, queryFlag, route, sendError, sendJson } from './http-answer';
import type { FaultInjector } from './faults';
import type { InteractionTracker } from './interactions';
import { rateLimitMiddleware } from './rate-limits/middleware';
import type { RateLimiter } from './rate-limits/rate-limiter';
import type { SimulatorStore } from './store';

/** One HTTP request the simulator received (kept so tests can see what the bot called). */
export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The bucket's `X-RateLimit-Reset-After` the answer announced, in ms (what a client waits after a 429); null without one. */
  resetAfterMs: number | null;
  /** The request carried the right `Authorization: Bot <token>`. */
  authorized: boolean;
  /** No route matched: the bot called something the simulator does not implement. */
  unknownRoute: boolean;
  body: unknown;
}

export interface RouteContext {
  token: string;
  applicationId: string;
  /** The application's flags (`GET /applications/@me`, READY): they decide which privileged intents are approved. */
  applicationFlags: number;
  store: SimulatorStore;
  interactions: InteractionTracker;
  commands: CommandRegistry;
  requests: RequestRecord[];
  gatewayUrl: () => string;
  recommendedShards: number;
  maxConcurrency: number;
  /** `session_start_limit.total` and `.remaining` of `/gateway/bot`. */
  sessionStarts: () => { total: number; remaining: number };
  botUser: () => APIUser;
  /** Failures a test asked for (`failRequests`), answered before any route. */
  faults: FaultInjector;
  rateLimiter: RateLimiter;
}

const REQUEST_LOG_LIMIT = 10_000;
/** The `ChangeFeed` topic of the request log: nothing an interaction's waiter checks. */
const REQUEST_LOG_TOPIC = 'requests';
const unknownRoutes = new WeakSet<Request>();

/** Discord routes `%40original` like `@original` (discord.js and others encode the `@`). */
function decodeAt(request: Request, _response: Response, next: NextFunction): void {
  const queryStart = request.url.indexOf('?');
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  request.url = path.replace(/%40/gi, '@') + (queryStart === -1 ? '' : request.url.slice(queryStart));
  next();
}

function resetAfterMsOf(response: Response): number | null {
  const header = response.getHeader('X-RateLimit-Reset-After');
  return typeof header === 'string' ? Math.round(Number(header) * 1000) : null;
}

/** The Discord REST API v10 subset the bot uses, under `/api/v10`. */
export function createHttpApp(context: RouteContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((request, response, next) => {
    response.on('finish', () => {
      pushBounded(
        context.requests,
        {
          at: Date.now(),
          method: request.method,
          path: request.path,
          query: Object.fromEntries(Object.entries(request.query).map(([key, value]) => [key, String(value)])),
          status: response.statusCode,
          resetAfterMs: resetAfterMsOf(response),
          authorized: isAuthorized(request, context.token),
          unknownRoute: unknownRoutes.has(request),
          body: bodyOf(request).json,
        },
        REQUEST_LOG_LIMIT,
      );
      context.store.changes.notify(REQUEST_LOG_TOPIC);
    });
    next();
  });
  app.use(decodeAt);
  app.use('/api/v10', rateLimitMiddleware(context.rateLimiter));
  app.use(express.raw({ type: () => true, limit: '25mb' }), parseBody);

  const open = express.Router();
  const bot = express.Router();
  addOpenRoutes(open, context);
  addBotRoutes(bot, context);
  app.use(
    '/api/v10',
    (request: Request, response: Response, next: NextFunction) => {
      const fault = context.faults.match(request.method, request.path);
      if (!fault) return next();
      if (fault.kind === 'drop-response') {
        dropResponse(response);
        return next();
      }
      for (const [name, value] of Object.entries(fault.headers)) response.setHeader(name, value);
      sendJson(response, fault.status, fault.body);
    },
    open,
    bot,
  );
  app.use((request: Request, response: Response) => {
    unknownRoutes.add(request);
    sendError(response, apiErrors.notFound());
  });
  return app;
}

/** Routes Discord serves without a bot token: the gateway URL, interaction callbacks and webhooks. */
function addOpenRoutes(router: express.Router, context: RouteContext): void {
  const { interactions } = context;
  router.get(
    '/gateway',
    route(() => ok({ url: context.gatewayUrl() })),
  );
  router.post(
    '/interactions/:id/:token/callback',
    route((request) => {
      const { json, files } = bodyOf(request);
      const answer = interactions.callback(param(request, 'id'), param(request, 'token'), json, files);
      return queryFlag(request, 'with_response') ? ok(answer) : noContent;
    }),
  );
  router.post(
    '/webhooks/:appId/:token',
    route((request) => {
      const { json, files } = bodyOf(request);
      const message = interactions.followUp(param(request, 'appId'), param(request, 'token'), json, files);
      return queryFlag(request, 'wait') ? ok(message) : noContent;
    }),
  );
  router.get(
    '/webhooks/:appId/:token/messages/:messageId',
    route((request) => ok(interactions.fetchMessage(param(request, 'appId'), param(request, 'token'), param(request, 'messageId')))),
  );
  router.patch(
    '/webhooks/:appId/:token/messages/:messageId',
    route((request) => {
      const { json, files } = bodyOf(request);
      return ok(interactions.editMessage(param(request, 'appId'), param(request, 'token'), param(request, 'messageId'), json, files));
    }),
  );
  router.delete(
    '/webhooks/:appId/:token/messages/:messageId',
    route((request) => {
      interactions.deleteMessage(param(request, 'appId'), param(request, 'token'), param(request, 'messageId'));
      return noContent;
    }),
  );
}
