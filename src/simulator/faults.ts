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
  /**
   * Serve the request (a message is stored), then reset its connection instead of answering: a
   * post Discord accepted that the client saw fail (a timeout or reset after Discord processed it).
   * `status` and the 429 options are then unused.
   */
  dropResponse?: boolean;
  /** How many requests the rule applies to before it removes itself. Default: until removed. */
  times?: number;
}

/** What a matched fault answers: Discord's error JSON, or for 429 Discord's rate limit body and headers; or no answer at all. */
export type FaultAnswer = { kind: 'answer'; status: number; headers: Record<string, string>; body: unknown } | { kind: 'drop-response' };

/** The active faults of a simulator; `DiscordSimulator.failRequests` adds one and returns its removal. */
export class FaultInjector {
  private readonly rules = new Set<FaultRule>();
  /** Requests each rule with `times` has matched. */
  private readonly matched = new Map<FaultRule, number>();

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
      this.count(rule);
      if (rule.dropResponse) return { kind: 'drop-response' };
      const status = rule.status ?? 500;
      if (status === 429) {
        const { headers, refusal } = tooManyRequests(rule.retryAfterMs ?? 1000, rule.scope ?? 'user');
        return { kind: 'answer', status, headers, body: refusal.body };
      }
      return { kind: 'answer', status, headers: {}, body: { message: `${status}: simulated failure`, code: 0 } };
    }
    return null;
  }

  /** Counts a match of a rule with `times`, removing the rule at its last one. */
  private count(rule: FaultRule): void {
    if (rule.times === undefined) return;
    const matched = (this.matched.get(rule) ?? 0) + 1;
    this.matched.set(rule, matched);
    if (matched >= rule.times) {
      this.rules.delete(rule);
      this.matched.delete(rule);
    }
  }
}
