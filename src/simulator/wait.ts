import { EventEmitter } from 'node:events';
import { SimulatorTimeoutError } from './simulator-errors';

/**
 * Lets callers wait for a condition on simulator state: every mutation calls `notify()`, and each
 * waiter re-evaluates its check then. No polling interval, so nothing is missed between polls.
 */
export class ChangeFeed {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Many tests may wait at once (one waiter per pending interaction, message, shard count).
    this.emitter.setMaxListeners(0);
  }

  notify(): void {
    this.emitter.emit('change');
  }

  /** Resolves with the first non-undefined result of `check`, or rejects after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined, timeoutMs: number, waitingFor: string): Promise<T> {
    const immediate = check();
    if (immediate !== undefined) return Promise.resolve(immediate);
    return new Promise<T>((resolve, reject) => {
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
        this.emitter.off('change', onChange);
      };
      this.emitter.on('change', onChange);
    });
  }
}
