import { isCluster, type RedisConnection } from '../redis';
import { isCommandTimeout } from './redis-clients';

export interface Invalidation {
  /** The process that wrote: it already dropped its own entries, so it ignores its own messages. */
  origin: string;
  /** Cache keys; an entry ending in `*` drops every key it prefixes. */
  entries: string[];
}

/** One line for the origin, then one per entry. */
export function encodeInvalidation(origin: string, entries: readonly string[]): string {
  return [origin, ...entries].join('\n');
}

export function decodeInvalidation(message: string): Invalidation {
  const [origin = '', ...entries] = message.split('\n');
  return { origin, entries: entries.filter((entry) => entry.length > 0) };
}

export interface InvalidationBusHandlers {
  onMessage(message: string): void;
  /** The subscription was lost: invalidations published from now on will not be heard. */
  onLost(reason: unknown): void;
  /**
   * Subscribed again after a loss: what was published in between was not heard, so whatever the
   * local tier holds, or is loading, may be stale (the breaker may not have seen the loss: one
   * during its recovery is not a transition).
   */
  onResubscribed(): void;
}

export interface ConfirmationOptions {
  /** How often a PING is sent on the subscription. */
  intervalMs: number;
  /** A subscription whose PING stays unanswered this long is reconnected (a half-open socket is never closed otherwise). */
  stuckAfterMs: number;
}

/** PINGs on the subscriber connection still unanswered past which `confirm()` sends no more and fails. */
const MAX_CONFIRMATIONS_IN_FLIGHT = 4;

/**
 * Listens on the invalidation channel with the subscriber connection. It subscribes again after
 * every reconnection itself (ioredis' auto-resubscribe is off) so that `listening` is exact.
 *
 * It also proves the stream complete: Redis answers a PING on a subscribed connection in order
 * with the messages, so when the PING sent at time T is answered, every invalidation published
 * before T (on the server this connection reaches) has been received and applied (`confirmedAt`).
 * A connection that stays open but carries nothing (a hung server, a half-open socket) is noticed
 * by its confirmations stopping, and reconnected once a PING has gone unanswered for `stuckAfterMs`.
 */
export class InvalidationBus {
  listening = false;
  /**
   * Whether a PING can confirm the stream: not on a Redis Cluster, where ioredis may move the
   * subscription to another node unannounced and other nodes' messages arrive through the cluster
   * bus in no order with the PING.
   */
  readonly confirmable: boolean;
  /** `Date.now()` when the last answered PING was sent, on the current subscription; `-Infinity` before any. */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  /**
   * PINGs not followed by an answer yet, oldest first (`performance.now()` when sent): an answer
   * also stands for every PING sent before it (Redis answers in order); one that timed out stays.
   */
  private unanswered: { seq: number; sentAt: number }[] = [];
  private pingSeq = 0;
  /** Consecutive checks that found a PING unanswered past `stuckAfterMs`. */
  private stuckChecks = 0;
  /** Subscriptions lost so far: a PING sent before a loss confirms nothing once it is answered. */
  private losses = 0;
  private confirmationsInFlight = 0;
  private confirmTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly subscriber: RedisConnection,
    private readonly channel: string,
    private readonly handlers: InvalidationBusHandlers,
  ) {
    subscriber.on('ready', () => void this.subscribe());
    subscriber.on('close', () => this.lost('subscriber connection closed'));
    subscriber.on('error', (error: Error) => this.lost(error));
    subscriber.on('message', (from: string, message: string) => {
      if (from === this.channel) handlers.onMessage(message);
    });
    if (subscriber.status === 'ready') void this.subscribe();
    this.confirmable = !isCluster(subscriber);
  }

  /** Whether every invalidation published more than `ms` before `now` is known to have been applied. */
  confirmedWithin(ms: number, now: number): boolean {
    return now - this.confirmedAt <= ms;
  }

  /** Confirms the stream every `intervalMs` until `stop()`. */
  startConfirming(options: ConfirmationOptions): void {
    if (!this.confirmable || this.confirmTimer !== undefined) return;
    // The stuck check runs in the check phase, after the poll phase has read the answers that
    // arrived during a stall of the event loop (see `reconnectIfStuck`).
    this.confirmTimer = setInterval(() => {
      this.confirmQuietly();
      setImmediate(() => this.reconnectIfStuck(options.stuckAfterMs));
    }, options.intervalMs);
    this.confirmTimer.unref();
    this.confirmQuietly();
  }

  stop(): void {
    clearInterval(this.confirmTimer);
    this.confirmTimer = undefined;
  }

  /**
   * Sends a PING on the subscription; its answer moves `confirmedAt`. Throws when not listening,
   * when earlier PINGs are still unanswered (a hung server is sent no more), or when it fails.
   */
  async confirm(): Promise<void> {
    if (!this.confirmable) return;
    if (!this.listening) throw new Error('not subscribed to the invalidation channel');
    if (this.confirmationsInFlight >= MAX_CONFIRMATIONS_IN_FLIGHT) throw new Error('PINGs on the subscription unanswered');
    const sentAt = Date.now();
    const losses = this.losses;
    const seq = (this.pingSeq += 1);
    this.unanswered.push({ seq, sentAt: performance.now() });
    this.confirmationsInFlight += 1;
    try {
      await this.subscriber.ping();
    } finally {
      this.confirmationsInFlight -= 1;
    }
    if (!this.listening || this.losses !== losses) return;
    this.confirmedAt = Math.max(this.confirmedAt, sentAt);
    this.unanswered = this.unanswered.filter((ping) => ping.seq > seq);
  }

  /** A failed confirmation only lets the stream's confirmation age (the local tier pauses past the bound). */
  private confirmQuietly(): void {
    this.confirm().catch(() => undefined);
  }

  /**
   * Reconnects a subscription whose oldest unanswered PING is older than `stuckAfterMs` at two
   * checks in a row: after a long stall of the event loop the PINGs sent before it are answered in
   * the first poll phase, but ioredis may have timed them out first (its timers run before), so one
   * check alone would take a busy process for a stuck connection; by the next one, the PING sent
   * after the stall has been answered.
   */
  private reconnectIfStuck(stuckAfterMs: number): void {
    if (this.confirmTimer === undefined || !this.listening) return;
    const oldest = this.unanswered[0];
    const silentMs = oldest === undefined ? 0 : performance.now() - oldest.sentAt;
    this.stuckChecks = silentMs > stuckAfterMs ? this.stuckChecks + 1 : 0;
    if (this.stuckChecks < 2) return;
    this.lost(new Error(`a PING on the invalidation subscription unanswered for ${Math.round(silentMs)} ms: reconnected`));
    this.subscriber.disconnect(true);
  }

  private async subscribe(): Promise<void> {
    const resubscribing = this.losses > 0;
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.lost(error);
      // Unanswered, the SUBSCRIBE may still have run: a new connection subscribes afresh (a refusal would only repeat).
      if (isCommandTimeout(error)) this.subscriber.disconnect(true);
      return;
    }
    this.listening = true;
    if (resubscribing) this.handlers.onResubscribed();
    // Confirming now instead of at the next tick: the local tier waits for a confirmation.
    if (this.confirmTimer !== undefined) this.confirmQuietly();
  }

  private lost(reason: unknown): void {
    this.listening = false;
    this.losses += 1;
    this.confirmedAt = Number.NEGATIVE_INFINITY;
    this.unanswered = [];
    this.stuckChecks = 0;
    this.handlers.onLost(reason);
  }
}
