import { MicroBatcher } from '../../src/queues/micro-batch';

/** A flush the test settles by hand, recording each batch it was given. */
function controlledFlush() {
  const batches: number[][] = [];
  const settle: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const flush = (items: number[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      settle.push({ resolve, reject });
    });
  return { batches, settle, flush };
}

describe('MicroBatcher (no services)', () => {
  it('flushes as soon as a batch is full, each add settling with its own batch', async () => {
    const { batches, settle, flush } = controlledFlush();
    const batcher = new MicroBatcher(flush, { maxSize: 3, maxWaitMs: 60_000 });
    const first = [1, 2, 3].map((n) => batcher.add(n));
    const second = batcher.add(4);
    expect(batches).toEqual([[1, 2, 3]]);
    settle[0]!.resolve();
    await expect(Promise.all(first)).resolves.toEqual([undefined, undefined, undefined]);
    const draining = batcher.drain(); // flushes [4] at once
    expect(batches).toEqual([[1, 2, 3], [4]]);
    settle[1]!.reject(new Error('insert failed'));
    await expect(second).rejects.toThrow('insert failed');
    await draining;
  });

  it('flushes a partial batch after maxWaitMs', async () => {
    jest.useFakeTimers();
    try {
      const { batches, settle, flush } = controlledFlush();
      const batcher = new MicroBatcher(flush, { maxSize: 100, maxWaitMs: 10 });
      const added = [batcher.add(1), batcher.add(2)];
      expect(batches).toEqual([]);
      jest.advanceTimersByTime(10);
      expect(batches).toEqual([[1, 2]]);
      settle[0]!.resolve();
      await Promise.all(added);
    } finally {
      jest.useRealTimers();
    }
  });

  it('drain waits for the batches in flight, and a failed batch fails only its own adds', async () => {
    const { batches, settle, flush } = controlledFlush();
    const batcher = new MicroBatcher(flush, { maxSize: 2, maxWaitMs: 60_000 });
    const failing = [batcher.add(1), batcher.add(2)].map((p) =>
      p.then(
        () => 'ok',
        (error: Error) => error.message,
      ),
    );
    const passing = batcher.add(3).then(() => 'ok');
    let drained = false;
    const draining = batcher.drain().then(() => (drained = true));
    expect(batches).toEqual([[1, 2], [3]]);
    settle[0]!.reject(new Error('bad row'));
    await Promise.resolve();
    expect(drained).toBe(false);
    settle[1]!.resolve();
    await draining;
    expect(await Promise.all(failing)).toEqual(['bad row', 'bad row']);
    expect(await passing).toBe('ok');
  });
});
