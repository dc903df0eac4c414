/**
 * Polls `read` every `everyMs` (0: at every turn of the event loop) until it returns something
 * truthy (which it returns), or fails after `timeoutMs`: for effects that land asynchronously
 * (workers, other processes, events).
 */
export async function eventually<T>(
  read: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 5000,
  everyMs = 25,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => (everyMs > 0 ? setTimeout(resolve, everyMs) : setImmediate(resolve)));
  }
}

/** `eventually`, polled at every turn of the event loop (no fixed sleep); resolves with the ms it took. */
export async function waitFor(condition: () => Promise<boolean> | boolean, deadlineMs: number): Promise<number> {
  const start = performance.now();
  await eventually(condition, deadlineMs, 0);
  return performance.now() - start;
}
