import { ChangeFeed } from '../../src/simulator/wait';
import { SimulatorTimeoutError } from '../../src/simulator/simulator-errors';

describe('ChangeFeed', () => {
  it('re-checks a waiter on a topic only for changes of that topic or of everything; the others at every change', async () => {
    const feed = new ChangeFeed();
    const state = { a: false, b: false, any: false };
    const checks = { a: 0, b: 0, any: 0 };
    const waitA = feed.waitFor(() => (checks.a++, state.a ? 'a' : undefined), 1000, 'a', 'topic:a');
    const waitB = feed.waitFor(() => (checks.b++, state.b ? 'b' : undefined), 1000, 'b', 'topic:b');
    const waitAny = feed.waitFor(() => (checks.any++, state.any ? 'any' : undefined), 1000, 'any');
    expect(checks).toEqual({ a: 1, b: 1, any: 1 }); // each checked once at once

    feed.notify('topic:a');
    expect(checks).toEqual({ a: 2, b: 1, any: 2 });
    feed.notify('requests');
    expect(checks).toEqual({ a: 2, b: 1, any: 3 });
    feed.notify();
    expect(checks).toEqual({ a: 3, b: 2, any: 4 });

    state.a = true;
    feed.notify('topic:a');
    await expect(waitA).resolves.toBe('a');
    state.b = true;
    state.any = true;
    feed.notify();
    await expect(waitB).resolves.toBe('b');
    await expect(waitAny).resolves.toBe('any');

    // Settled waiters are gone: nothing is checked any more.
    const settled = { ...checks };
    feed.notify('topic:a');
    feed.notify();
    expect(checks).toEqual(settled);
  });

  it('rejects after its timeout with a SimulatorTimeoutError, and a throwing check rejects at once', async () => {
    const feed = new ChangeFeed();
    await expect(feed.waitFor(() => undefined, 20, 'never', 'topic:x')).rejects.toBeInstanceOf(SimulatorTimeoutError);
    let armed = false;
    const failing = feed.waitFor(
      () => {
        if (armed) throw new Error('check failed');
        return undefined;
      },
      1000,
      'failing',
      'topic:y',
    );
    armed = true;
    feed.notify('topic:y');
    await expect(failing).rejects.toThrow('check failed');
  });
});
