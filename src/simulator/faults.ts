import { tooManyRequests, type RateLimitScope } from './rate-limits/answers';

/** A Discord failure to play: matching requests get `status` instead of their normal answer. */
export interface FaultRule {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Path under `/api/v10` (e.g. `/users/123`), exactly or by pattern. */
  path: string | RegExp;
  /** Default 500. */
  status?: number;
  /** For a 429: the wait announced in `Retry-After` and `retry_after`. Default: 1000 ms. */
  retryAfterMs?: number;
  /** For a 429: its scope (`global` also sets `global: true` and `X-RateLimit-Global`). Default: `user`. */
  scope?: RateLimitScope;
}

/** What a matched fault answers: Discord's error JSON, or for 429 Discord's rate limit body and headers. */
export interface FaultAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The active faults of a simulator; `DiscordSimulator.failRequests` adds one and returns its removal. */
export class FaultInjector {
  private readonly rules = new Set<FaultRule>();

  add(rule: FaultRule): () => void {
    this.rules.add(rule);
    return () => {
      this.rules.delete(rule);
    };
  }

  match(method: string, path: string): FaultAnswer | null {
    for (const rule of this.rules) {
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (typeof rule.path === 'string' ? rule.path !== path : !rule.path.test(path)) continue;
      const status = rule.status ?? 500;
      if (status === 429) {
        const { headers, refusal } = tooManyRequests(rule.retryAfterMs ?? 1000, rule.scope ?? 'user');
        return { status, headers, body: refusal.body };
      }
      return { status, headers: {}, body: { message: `${status}: simulated failure`, code: 0 } };
    }
    return null;
  }
}
