import type { WindowLimit } from './limits';

/** One fixed window: opened by its first request, reset `windowMs` later. */
export interface WindowState {
  count: number;
  resetAt: number;
}

/** Fixed-window counters by key, as Discord's buckets behave; expired windows are swept as keys accumulate. */
export class WindowCounter {
  private readonly windows = new Map<string, WindowState>();
  private nextSweepSize = 1024;

  /** The live window of `key` (a fresh one if none is open). */
  peek(key: string, limit: WindowLimit, now: number): WindowState {
    const current = this.windows.get(key);
    if (current && current.resetAt > now) return current;
    const fresh = { count: 0, resetAt: now + limit.windowMs };
    this.windows.set(key, fresh);
    this.sweep(now);
    return fresh;
  }

  /** Counts a request in `key`'s window; false (and not counted) when the window is full. */
  take(key: string, limit: WindowLimit, now: number): { allowed: boolean; window: WindowState } {
    const window = this.peek(key, limit, now);
    if (window.count >= limit.limit) return { allowed: false, window };
    window.count++;
    return { allowed: true, window };
  }

  private sweep(now: number): void {
    if (this.windows.size < this.nextSweepSize) return;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    this.nextSweepSize = Math.max(1024, this.windows.size * 2);
  }
}
