import { LoopMonitor } from './loop-monitor';
import { isCommandTimeout } from './redis-clients';

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
  /** The command timeout: the window over which a timed-out command's event loop is judged busy or not. */
  commandTimeoutMs: number;
  logger: CacheLogger;
}

/** A loop busy this share of a timeout's window kept itself from reading the reply: the timeout is the process's, not Redis'. */
const BUSY_SHARE = 0.5;
/** Timeouts excused by a busy loop stop being excused after this many command timeouts without an answered PING. */
const BUSY_GRACE_TIMEOUTS = 10;

/**
 * Circuit breaker of the Redis tier. While Redis is not `up`, reads and writes skip it entirely (no
 * request waits on a dead Redis), and a timer probes it. One warning per outage, one info at recovery.
 * `epoch` changes at every transition, so a load that spans one does not fill the local tier.
 *
 * A command timeout while the event loop was busy most of its window is the process's own lag (the
 * reply was likely there, unread): Redis stays in use, and a PING, judged the same way, confirms it
 * answers, then the keys whose invalidation failed meanwhile are replayed (`beforeUp`). A timeout on
 * an idle loop, a PING that fails, or no answered PING within the grace opens the breaker.
 */
export class RedisHealth {
  state: RedisState = 'starting';
  epoch = 0;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;
  private downSince = 0;
  private readonly waiters = new Set<() => void>();
  private readonly loop: LoopMonitor;
  private confirming = false;
  /** A failure was excused since the running confirmation last checked Redis: it checks again. */
  private recheck = false;

  constructor(private readonly options: RedisHealthOptions) {
    this.loop = new LoopMonitor(options.commandTimeoutMs);
  }

  get up(): boolean {
    return this.state === 'up';
  }

  start(): void {
    this.loop.start();
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
    if (this.closed || this.state !== 'up') return;
    if (this.excused(reason)) this.confirm();
    else this.goDown(reason);
  }

  close(): void {
    this.closed = true;
    this.loop.stop();
    clearTimeout(this.timer);
    for (const wake of this.waiters) wake();
  }

  private excused(reason: unknown): boolean {
    return isCommandTimeout(reason) && this.loop.busyShare() >= BUSY_SHARE;
  }

  private confirm(): void {
    this.recheck = true;
    if (this.confirming) return;
    this.confirming = true;
    void this.runConfirm().finally(() => (this.confirming = false));
  }

  /** PINGs (and replays) until Redis answers while still up; opens the breaker on an unexcused failure or past the grace. */
  private async runConfirm(): Promise<void> {
    const deadline = performance.now() + BUSY_GRACE_TIMEOUTS * this.options.commandTimeoutMs;
    while (this.recheck && this.up && !this.closed) {
      this.recheck = false;
      try {
        await this.options.probe();
        await this.options.beforeUp();
      } catch (error) {
        if (!this.up || this.closed) return;
        if (this.excused(error) && performance.now() < deadline) this.recheck = true;
        else this.goDown(error);
      }
    }
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
