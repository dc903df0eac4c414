export interface TurnBatchOptions<Request, Reply> {
  /** Sends the requests of one batch as one command; resolves with one reply per request, in order. */
  send(requests: readonly Request[]): Promise<readonly Reply[]>;
  /** How much of the batch a request takes (keys, entries); a batch never exceeds `maxWeight` unless one request alone does. */
  weightOf(request: Request): number;
  maxWeight: number;
}

interface Queued<Request, Reply> {
  request: Request;
  resolve(reply: Reply): void;
  reject(error: unknown): void;
}

/**
 * The requests submitted in one turn of the event loop go out as one command, sent from the turn's
 * check phase (`setImmediate`): by then every I/O callback of the turn has run, so the interactions
 * that arrived together, or the callers that one reply resumed, share it. On a busy process that is
 * several interactions per command, where the next tick held one or two; each command's fixed cost,
 * on both sides, is what a cache or database path pays for at concurrency. Each caller still gets
 * its own reply, or the batch's error.
 */
export class TurnBatch<Request, Reply> {
  private queued: Queued<Request, Reply>[] = [];
  private weight = 0;
  private readonly flushQueued = (): void => this.flush();

  constructor(private readonly options: TurnBatchOptions<Request, Reply>) {}

  submit(request: Request): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const weight = this.options.weightOf(request);
      if (this.queued.length > 0 && this.weight + weight > this.options.maxWeight) this.flush();
      if (this.queued.length === 0) setImmediate(this.flushQueued);
      this.queued.push({ request, resolve, reject });
      this.weight += weight;
    });
  }

  private flush(): void {
    const batch = this.queued;
    if (batch.length === 0) return;
    this.queued = [];
    this.weight = 0;
    void this.send(batch);
  }

  private async send(batch: readonly Queued<Request, Reply>[]): Promise<void> {
    let replies: readonly Reply[];
    try {
      replies = await this.options.send(batch.map((item) => item.request));
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, index) => item.resolve(replies[index] as Reply));
  }
}
