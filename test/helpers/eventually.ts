/**
 * Polls `read` every `everyMs` until it returns something truthy (which it returns), or fails
 * after `timeoutMs`: for effects that land asynchronously (workers, other processes, events).
 */
export async function eventually<T>(
  read: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 5000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
