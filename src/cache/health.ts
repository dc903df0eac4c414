/** The part of a pino logger the cache uses. */
export interface CacheLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export type RedisState = 'starting' | 'up' | 'down';

export interface RedisHealthOptions {
  /** Resolves when Redis answers and invalidations can be heard; throws otherwise. */
  probe: () => Promise<void>;
  /** Runs before the tier is used again after an outage (replays lost invalidations); throwing keeps Redis down. */
  beforeUp: () => Promise<void>;
  /** Runs at each transition, when what the local tier holds can no longer be trusted. */
  onTransition: () => void;
  probeIntervalMs: number;
  logger: CacheLogger;
}

/**
 * Circuit breaker of the Redis tier. While Redis is not `up`, reads and writes skip it entirely (no
 * request waits on a dead Redis), and a timer probes it. One warning per outage, one info at recovery.
 * `epoch` changes at every transition, so a load that spans one does not fill the local tier.
 */
export class RedisHealth {
  state: RedisState = 'starting';
  epoch = 0;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;
  private downSince = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: RedisHealthOptions) {}

  get up(): boolean {
    return this.state === 'up';
  }

  start(): void {
    this.schedule(0);
  }

  /** Waits until Redis is up or `timeoutMs` passed; on timeout, declares the outage. */
  async waitUntilUp(timeoutMs: number): Promise<boolean> {
    if (this.up) return true;
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    const up = await new Promise<boolean>((resolve) => {
      wake = () => resolve(true);
      this.waiters.add(wake);
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    clearTimeout(timer);
    if (wake) this.waiters.delete(wake);
    if (!up && this.state === 'starting') this.goDown('Redis did not answer at startup');
    return up;
  }

  /** A command failed or a connection dropped. */
  fail(reason: unknown): void {
    if (this.closed || this.state === 'down') return;
    if (this.state === 'up') this.goDown(reason);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const wake of this.waiters) wake();
  }

  private goDown(reason: unknown): void {
    this.state = 'down';
    this.epoch += 1;
    this.downSince = Date.now();
    this.options.onTransition();
    this.options.logger.warn(
      { err: reason instanceof Error ? reason.message : String(reason) },
      'Redis cache tier unreachable: reading and writing PostgreSQL directly until it is back',
    );
    this.schedule(this.options.probeIntervalMs);
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.probing) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runProbe(), delayMs);
    this.timer.unref();
  }

  private async runProbe(): Promise<void> {
    if (this.closed || this.up) return;
    this.probing = true;
    try {
      await this.options.probe();
      await this.options.beforeUp();
      if (this.closed) return;
      const wasDown = this.state === 'down';
      this.state = 'up';
      this.epoch += 1;
      this.options.onTransition();
      if (wasDown) this.options.logger.info({ outageMs: Date.now() - this.downSince }, 'Redis cache tier is back');
      for (const wake of this.waiters) wake();
    } catch {
      // Still unreachable: the outage was already reported once.
    } finally {
      this.probing = false;
    }
    if (!this.up) this.schedule(this.options.probeIntervalMs);
  }
}
