export interface TurnBatchOptions<Request, Reply> {
  /** Sends the requests of one batch as one command; resolves with one reply per request, in order. */
  send(requests: readonly Request[]): Promise<readonly Reply[]>;
  /** How much of the batch a request takes (keys, entries); a batch never exceeds `maxWeight` unless one request alone does. */
  weightOf(request: Request): number;
  maxWeight: number;
  /**
   * Batches sent and not yet answered, at most; the next ones wait for a slot, gathering whatever
   * arrives meanwhile. Default: no bound (one batch per turn, whatever is in flight).
   */
  maxInFlight?: number;
  /**
   * A batch still unanswered after this stops holding its slot (with `maxInFlight`): one hung
   * command must not hold every request behind it for as long as its own timeout. Default 1000 ms.
   */
  slotHeldMs?: number;
}

const DEFAULT_SLOT_HELD_MS = 1000;
const MAX_TIMER_MS = 2 ** 31 - 1;

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
 *
 * With `maxInFlight`, a busy process sends fewer, bigger batches (group commit): while the bound is
 * reached, requests gather until a batch is answered, or has waited `slotHeldMs`. An idle process
 * still sends at once.
 */
export class TurnBatch<Request, Reply> {
  /** The batch still taking requests. */
  private open: Queued<Request, Reply>[] = [];
  private weight = 0;
  /** Full batches waiting for a slot (`maxInFlight`), oldest first. */
  private readonly waiting: Queued<Request, Reply>[][] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly slotHeldMs: number;
  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(private readonly options: TurnBatchOptions<Request, Reply>) {
    this.maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
    if (!(this.maxInFlight >= 1)) throw new RangeError(`TurnBatch: maxInFlight must be at least 1, got ${this.maxInFlight}`);
    this.slotHeldMs = options.slotHeldMs ?? DEFAULT_SLOT_HELD_MS;
    // Past 2^31 - 1 ms, Node's setTimeout fires after 1 ms instead.
    if (!(this.slotHeldMs > 0 && this.slotHeldMs <= MAX_TIMER_MS)) {
      throw new RangeError(`TurnBatch: slotHeldMs must be in (0, ${MAX_TIMER_MS}], got ${this.slotHeldMs}`);
    }
  }

  submit(request: Request): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const weight = this.options.weightOf(request);
      if (this.open.length > 0 && this.weight + weight > this.options.maxWeight) {
        // A full batch goes at once when a slot is free, as it would wait for nothing more.
        this.close();
        this.flush();
      }
      this.open.push({ request, resolve, reject });
      this.weight += weight;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushScheduled);
  }

  /** Sends what the bound allows; while it is reached, the open batch keeps taking requests. */
  private flush(): void {
    if (this.inFlight >= this.maxInFlight) return;
    this.close();
    while (this.inFlight < this.maxInFlight) {
      const batch = this.waiting.shift();
      if (batch === undefined) return;
      this.inFlight += 1;
      void this.send(batch);
    }
  }

  private close(): void {
    if (this.open.length === 0) return;
    this.waiting.push(this.open);
    this.open = [];
    this.weight = 0;
  }

  private async send(batch: readonly Queued<Request, Reply>[]): Promise<void> {
    let holdsSlot = true;
    const freeSlot = (): void => {
      if (!holdsSlot) return;
      holdsSlot = false;
      this.inFlight -= 1;
      // What waited for the slot goes in the next check phase, with what this turn adds.
      if (this.waiting.length > 0 || this.open.length > 0) this.schedule();
    };
    const slotTimer = Number.isFinite(this.maxInFlight) ? setTimeout(freeSlot, this.slotHeldMs).unref() : undefined;
    let replies: readonly Reply[];
    try {
      replies = await this.options.send(batch.map((item) => item.request));
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    } finally {
      clearTimeout(slotTimer);
      freeSlot();
    }
    batch.forEach((item, index) => item.resolve(replies[index] as Reply));
  }
}
