/**
 * The event handlers running now (interactions, guild events). A shutdown lets them finish before
 * it closes what they use: a write cut between its commit and its cache invalidation would leave
 * other shards serving the old value, and an interaction cut midway gets no answer.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  track(work: Promise<unknown>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  /** Resolves once no handler runs (those started meanwhile included), or after `timeoutMs`; true when none was left running. */
  async settle(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const settled = (async () => {
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      return true;
    })();
    try {
      return await Promise.race([settled, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
