export interface MicroBatchOptions {
  /** A batch is flushed as soon as it holds this many items. */
  maxSize: number;
  /** …or this long after its first item arrived. */
  maxWaitMs: number;
}

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Groups items added one by one into batches handed to `flush`; each `add` resolves or rejects
 * with its batch. (BullMQ's own batches are a Pro feature: the worker's concurrent processors
 * feed one of these instead.)
 */
export class MicroBatcher<T> {
  private pending: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly flushing = new Set<Promise<void>>();

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly options: MicroBatchOptions,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxSize) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.options.maxWaitMs);
    });
  }

  /** Flushes what is waiting and resolves once every batch in flight has settled. */
  async drain(): Promise<void> {
    this.flushNow();
    await Promise.allSettled([...this.flushing]);
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const run = this.flush(batch.map((entry) => entry.item)).then(
      () => batch.forEach((entry) => entry.resolve()),
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
    this.flushing.add(run);
    void run.finally(() => this.flushing.delete(run));
  }
}
