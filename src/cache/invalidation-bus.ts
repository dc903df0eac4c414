import { isCluster, type RedisConnection } from '../redis';

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
}

/** PINGs on the subscriber connection still unanswered past which `confirm()` sends no more (a hung server). */
const MAX_CONFIRMATIONS_IN_FLIGHT = 4;

/**
 * Listens on the invalidation channel with the subscriber connection. It subscribes again after
 * every reconnection itself (ioredis' auto-resubscribe is off) so that `listening` is exact.
 *
 * It also proves the stream complete: Redis answers a PING on a subscribed connection in order
 * with the messages, so when the PING sent at time T is answered, every invalidation published
 * before T has been received and applied (`confirmedAt`). A connection that stays open but carries
 * nothing (a hung server, a half-open socket) is noticed by its confirmations stopping.
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
  startConfirming(intervalMs: number): void {
    if (!this.confirmable || this.confirmTimer !== undefined) return;
    this.confirmTimer = setInterval(() => this.confirmQuietly(), intervalMs);
    this.confirmTimer.unref();
    this.confirmQuietly();
  }

  stop(): void {
    clearInterval(this.confirmTimer);
    this.confirmTimer = undefined;
  }

  /**
   * Sends a PING on the subscription; its answer moves `confirmedAt`. Throws when it is not
   * listening or the PING fails (the health probe's check); a hung server is not sent more than a
   * few PINGs at once.
   */
  async confirm(): Promise<void> {
    if (!this.confirmable || this.confirmationsInFlight >= MAX_CONFIRMATIONS_IN_FLIGHT) return;
    if (!this.listening) throw new Error('not subscribed to the invalidation channel');
    const sentAt = Date.now();
    const losses = this.losses;
    this.confirmationsInFlight += 1;
    try {
      await this.subscriber.ping();
    } finally {
      this.confirmationsInFlight -= 1;
    }
    if (this.listening && this.losses === losses) this.confirmedAt = Math.max(this.confirmedAt, sentAt);
  }

  /** A failed confirmation only lets the stream's confirmation age (the local tier pauses past the bound). */
  private confirmQuietly(): void {
    this.confirm().catch(() => undefined);
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.listening = true;
      // Confirming now instead of at the next tick: the local tier waits for a confirmation.
      if (this.confirmTimer !== undefined) this.confirmQuietly();
    } catch (error) {
      this.lost(error);
    }
  }

  private lost(reason: unknown): void {
    this.listening = false;
    this.losses += 1;
    this.confirmedAt = Number.NEGATIVE_INFINITY;
    this.handlers.onLost(reason);
  }
}
