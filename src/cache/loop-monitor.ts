import { performance } from 'node:perf_hooks';

/**
 * How busy this process's event loop was over the recent past. A command timeout is ambiguous: Redis
 * did not answer, or it did and the reply sat unread in the socket while the loop ran other code
 * (under load, a timer can fire before the poll that would read the reply). The loop's utilization
 * over the timeout tells them apart: an idle loop waited for Redis, a busy one kept itself from reading.
 */
export class LoopMonitor {
  /** Sampled every `windowMs`: `older` is between one and two windows old while the loop keeps up. */
  private older = performance.eventLoopUtilization();
  private newer = this.older;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly windowMs: number) {}

  start(): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      this.older = this.newer;
      this.newer = performance.eventLoopUtilization();
    }, this.windowMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Share (0–1) of at least the last `windowMs` the loop spent running code rather than waiting for I/O. */
  busyShare(): number {
    return performance.eventLoopUtilization(performance.eventLoopUtilization(), this.older).utilization;
  }
}
