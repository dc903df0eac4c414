import { SingleFlight } from '../../src/cache/single-flight';

describe('SingleFlight (no services)', () => {
  it('shares one flight per key until it settles, then forgets it', async () => {
    const flights = new SingleFlight();
    let resolve!: (value: string) => void;
    const flight = flights.start('k', new Promise<string>((r) => (resolve = r)));
    expect(flights.get('k')).toBe(flight);
    expect(flights.get('other')).toBeUndefined();
    resolve('v');
    await flight.promise;
    await Promise.resolve();
    expect(flights.get('k')).toBeUndefined();
  });

  it('forgets a failed flight without leaving its rejection unhandled', async () => {
    const flights = new SingleFlight();
    let reject!: (error: Error) => void;
    const promise = new Promise<string>((_, r) => (reject = r));
    flights.start('k', promise);
    reject(new Error('load failed'));
    await expect(promise).rejects.toThrow('load failed');
    expect(flights.get('k')).toBeUndefined();
  });

  it('an invalidation detaches the flight and marks it stale; a prefix or everything likewise', () => {
    const flights = new SingleFlight();
    const pending = () => new Promise<never>(() => undefined);
    const a = flights.start('ns:a', pending());
    const b = flights.start('ns:b', pending());
    const c = flights.start('other:c', pending());
    flights.invalidate('ns:a');
    expect(a.stale).toBe(true);
    expect(flights.get('ns:a')).toBeUndefined();
    // A new load of the key is a new, fresh flight.
    const again = flights.start('ns:a', pending());
    expect(again.stale).toBe(false);
    flights.invalidatePrefix('ns:');
    expect([again.stale, b.stale, c.stale]).toEqual([true, true, false]);
    flights.invalidateAll();
    expect(c.stale).toBe(true);
    expect(flights.get('other:c')).toBeUndefined();
  });
});
