/** How many requests a window allows. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/**
 * Rate limit settings of the simulator. Defaults are Discord's documented values and, per route,
 * values observed on Discord; every one can be changed per test.
 */
export interface RateLimitOptions {
  /** Requests per bot token across all routes except interaction ones. Default: 50 per 1 s; `false` disables. */
  global?: WindowLimit | false;
  /** Per-route limits by `METHOD /path/:id` (see `identifyRoute`); merged over `DEFAULT_ROUTE_LIMITS`. `null` means the route has no bucket. */
  routes?: Record<string, WindowLimit | null>;
  /** A route not listed. Default: 5 per 1 s (Discord's documented example bucket); `null` for no bucket. */
  defaultRoute?: WindowLimit | null;
  /** 401/403/429 answers per client address before a temporary ban (Cloudflare's). Default: 10,000 per 10 min; `false` disables. */
  invalidRequests?: WindowLimit | false;
  /** How long a client address stays banned after too many invalid requests. Default: 1 hour. */
  invalidRequestBanMs?: number;
}

export interface ResolvedRateLimits {
  global: WindowLimit | false;
  routes: Record<string, WindowLimit | null>;
  defaultRoute: WindowLimit | null;
  invalidRequests: WindowLimit | false;
  invalidRequestBanMs: number;
}

/** Per-route values observed on Discord (its documentation does not publish them). */
export const DEFAULT_ROUTE_LIMITS: Readonly<Record<string, WindowLimit | null>> = {
  'POST /channels/:id/messages': { limit: 5, windowMs: 5000 },
  'PATCH /channels/:id/messages/:id': { limit: 5, windowMs: 5000 },
  'DELETE /channels/:id/messages/:id': { limit: 5, windowMs: 1000 },
  // Reading history has no bucket header on Discord: only the global limit applies.
  'GET /channels/:id/messages': null,
  'POST /webhooks/:id/:token': { limit: 5, windowMs: 2000 },
  'PATCH /webhooks/:id/:token/messages/:id': { limit: 5, windowMs: 2000 },
  'DELETE /webhooks/:id/:token/messages/:id': { limit: 5, windowMs: 2000 },
  // One callback per interaction is allowed anyway; Discord sends no bucket for it.
  'POST /interactions/:id/:token/callback': null,
  'GET /gateway': null,
};

export function resolveRateLimits(options: RateLimitOptions | false | undefined): ResolvedRateLimits {
  if (options === false) return { global: false, routes: {}, defaultRoute: null, invalidRequests: false, invalidRequestBanMs: 0 };
  return {
    global: options?.global ?? { limit: 50, windowMs: 1000 },
    routes: { ...DEFAULT_ROUTE_LIMITS, ...options?.routes },
    defaultRoute: options?.defaultRoute === undefined ? { limit: 5, windowMs: 1000 } : options.defaultRoute,
    invalidRequests: options?.invalidRequests ?? { limit: 10_000, windowMs: 600_000 },
    invalidRequestBanMs: options?.invalidRequestBanMs ?? 3_600_000,
  };
}
