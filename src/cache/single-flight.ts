/** One load in progress for a key. `stale` is set when the key was invalidated meanwhile: its result must not be cached. */
export interface Flight {
  readonly promise: Promise<unknown>;
  stale: boolean;
}

/**
 * Concurrent misses of one key share one load. An invalidation detaches the key's flight (later
 * callers start a fresh load) and marks it stale, so a value read before a write is never cached
 * after that write's invalidation.
 */
export class SingleFlight {
  private readonly flights = new Map<string, Flight>();

  get(key: string): Flight | undefined {
    return this.flights.get(key);
  }

  /** Registers `promise` as the key's load until it settles. */
  start(key: string, promise: Promise<unknown>): Flight {
    const flight: Flight = { promise, stale: false };
    this.flights.set(key, flight);
    const finish = (): void => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    };
    promise.then(finish, finish);
    return flight;
  }

  invalidate(key: string): void {
    const flight = this.flights.get(key);
    if (flight === undefined) return;
    flight.stale = true;
    this.flights.delete(key);
  }

  invalidatePrefix(prefix: string): void {
    for (const key of [...this.flights.keys()]) if (key.startsWith(prefix)) this.invalidate(key);
  }

  invalidateAll(): void {
    for (const key of [...this.flights.keys()]) this.invalidate(key);
  }
}
