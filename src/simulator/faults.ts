/** A Discord failure to play: matching requests get `status` instead of their normal answer. */
export interface FaultRule {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Path under `/api/v10` (e.g. `/users/123`), exactly or by pattern. */
  path: string | RegExp;
  /** Default 500. */
  status?: number;
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

  match(method: string, path: string): { status: number; body: { message: string; code: number } } | null {
    for (const rule of this.rules) {
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (typeof rule.path === 'string' ? rule.path !== path : !rule.path.test(path)) continue;
      const status = rule.status ?? 500;
      return { status, body: { message: `${status}: simulated failure`, code: 0 } };
    }
    return null;
  }
}
