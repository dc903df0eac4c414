import { SimulatorTimeoutError } from './simulator-errors';

/**
 * Lets callers wait for a condition on simulator state: every mutation calls `notify()`, and each
 * waiter re-evaluates its check then. No polling interval, so nothing is missed between polls.
 *
 * A waiter may name the topic its check depends on (one interaction's answers): it is then woken
 * only by changes of that topic and by changes that name none. Without that, each pending
 * interaction's check ran at every request the simulator logged, for every other interaction:
 * O(interactions in flight²) work under load.
 */
export class ChangeFeed {
  /** Waiters on every change. */
  private readonly anyChange = new Set<() => void>();
  private readonly byTopic = new Map<string, Set<() => void>>();

  /** A change of `topic` (waiters on it and on every change), or of anything (every waiter). */
  notify(topic?: string): void {
    const woken = [...this.anyChange];
    if (topic === undefined) for (const waiters of this.byTopic.values()) woken.push(...waiters);
    else woken.push(...(this.byTopic.get(topic) ?? []));
    for (const wake of woken) wake();
  }

  /**
   * Resolves with the first non-undefined result of `check`, or rejects after `timeoutMs`. With a
   * `topic`, `check` must depend only on what changes under that topic.
   */
  waitFor<T>(check: () => T | undefined, timeoutMs: number, waitingFor: string, topic?: string): Promise<T> {
    const immediate = check();
    if (immediate !== undefined) return Promise.resolve(immediate);
    return new Promise<T>((resolve, reject) => {
      const waiters = topic === undefined ? this.anyChange : this.topicWaiters(topic);
      const onChange = (): void => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (value === undefined) return;
        finish();
        resolve(value);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new SimulatorTimeoutError(waitingFor, timeoutMs));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        waiters.delete(onChange);
        if (topic !== undefined && waiters.size === 0 && this.byTopic.get(topic) === waiters) this.byTopic.delete(topic);
      };
      waiters.add(onChange);
    });
  }

  private topicWaiters(topic: string): Set<() => void> {
    let waiters = this.byTopic.get(topic);
    if (waiters === undefined) {
      waiters = new Set();
      this.byTopic.set(topic, waiters);
    }
    return waiters;
  }
}
