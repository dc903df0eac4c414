import { bucketHeaders, temporarilyBanned, tooManyRequests, type RateLimitAnswer, type RateLimitScope } from './answers';
import type { ResolvedRateLimits, WindowLimit } from './limits';
import { bucketHash, identifyRoute } from './routes';
import { WindowCounter } from './window-counter';

/** A request as the rate limiter sees it. */
export interface LimitedRequest {
  method: string;
  /** Path under `/api/v10`. */
  path: string;
  /** Who the per-bot limits apply to: the bot token, or '' for unauthenticated calls (then the address). */
  token: string;
  /** The client address: invalid-request bans are per address, as Cloudflare's. */
  address: string;
}

/** Invalid requests in Discord's sense: what counts toward the Cloudflare ban. */
function isInvalid(status: number, scope: string | undefined): boolean {
  return status === 401 || status === 403 || (status === 429 && scope !== 'shared');
}

/** Discord's REST rate limits: per-route buckets by major parameter, the global limit, invalid-request bans. */
export class RateLimiter {
  private readonly counters = new WindowCounter();
  private readonly bans = new Map<string, number>();
  /** Requests refused with 429 so far, by scope (tests and the demo read it). */
  readonly refused: Record<RateLimitScope | 'banned', number> = { user: 0, global: 0, shared: 0, banned: 0 };

  constructor(
    private readonly limits: ResolvedRateLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Decides a request before it is routed: the headers to send, and a 429 if it must be refused. */
  check(request: LimitedRequest): RateLimitAnswer {
    const now = this.clock();
    const bannedUntil = this.bans.get(request.address) ?? 0;
    if (bannedUntil > now) {
      this.refused.banned++;
      return temporarilyBanned(bannedUntil - now);
    }
    const identity = identifyRoute(request.method, request.path);
    const who = request.token || `address:${request.address}`;
    if (this.limits.global && !identity.interaction) {
      const { allowed, window } = this.counters.take(`global:${who}`, this.limits.global, now);
      if (!allowed) {
        this.refused.global++;
        return tooManyRequests(window.resetAt - now, 'global');
      }
    }
    const limit = this.routeLimit(identity.route);
    if (!limit) return { headers: {} };
    const bucket = bucketHash(identity.route);
    // Interaction routes are keyed by their token alone; other buckets are per bot.
    const key = identity.interaction ? `${bucket}:${identity.major}` : `${who}:${bucket}:${identity.major}`;
    const { allowed, window } = this.counters.take(key, limit, now);
    const headers = bucketHeaders(bucket, limit.limit, limit.limit - window.count, window.resetAt, now);
    if (allowed) return { headers };
    this.refused.user++;
    return tooManyRequests(window.resetAt - now, 'user', headers);
  }

  /** Counts an answer toward the invalid-request ceiling; past it the address is banned. */
  noteAnswer(address: string, status: number, scope: string | undefined): void {
    const ceiling = this.limits.invalidRequests;
    if (!ceiling || !isInvalid(status, scope)) return;
    const now = this.clock();
    const { allowed } = this.counters.take(`invalid:${address}`, ceiling, now);
    if (!allowed) this.bans.set(address, now + this.limits.invalidRequestBanMs);
  }

  private routeLimit(route: string): WindowLimit | null {
    const listed = this.limits.routes[route];
    return listed === undefined ? this.limits.defaultRoute : listed;
  }
}
