import type { RedisConnection } from '../redis';

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

/**
 * Listens on the invalidation channel with the subscriber connection. It subscribes again after
 * every reconnection itself (ioredis' auto-resubscribe is off) so that `listening` is exact.
 */
export class InvalidationBus {
  listening = false;

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
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.listening = true;
    } catch (error) {
      this.lost(error);
    }
  }

  private lost(reason: unknown): void {
    this.listening = false;
    this.handlers.onLost(reason);
  }
}
