import fs from 'node:fs';
import path from 'node:path';
import { appendDurably, type ErrorSpool, type SpoolEntry } from './spool';

export interface ErrorJournalOptions {
  /** Names this process's segments (letters and digits). */
  tag: string;
  /**
   * A segment this old is handed to the spool replay, whichever process wrote it (its errors have
   * had that long to reach PostgreSQL through the queue). Default 60 s.
   */
  confirmAfterMs?: number;
}

export const DEFAULT_JOURNAL_CONFIRM_AFTER_MS = 60_000;

/** `<spool>.journal.<tag>.<start ms>-<n>.ndjson` */
const SEGMENT = /\.journal\.([0-9a-z]+)\.(\d+)-\d+\.ndjson$/;

/**
 * Local, fsync'd copies of the errors handed to Redis, kept until PostgreSQL must hold them: a
 * queued job lives only in Redis memory, so a Redis that crashes without persistence would lose
 * it. Segments are released to the spool's replay (idempotent inserts, deduplicated Discord logs)
 * once older than `confirmAfterMs`, and at once when Redis reconnects (it may have restarted
 * empty). Appends are group-committed: all those of one event-loop turn share one fsync.
 */
export class ErrorJournal {
  private readonly segmentMs: number;
  private readonly confirmAfterMs: number;
  private segment: { file: string; startedAt: number } | undefined;
  private segments = 0;
  private waiting: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly spool: ErrorSpool,
    private readonly options: ErrorJournalOptions,
  ) {
    this.confirmAfterMs = options.confirmAfterMs ?? DEFAULT_JOURNAL_CONFIRM_AFTER_MS;
    // A segment takes appends for a quarter of that (at most 5 s), so no process still writes to a segment that is due.
    this.segmentMs = Math.min(5000, this.confirmAfterMs / 4);
  }

  /** Resolves once `entry` is on disk (rejects when the disk refuses it). */
  record(entry: SpoolEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => this.flush());
      this.waiting.push({ line: `${JSON.stringify(entry)}\n`, resolve, reject });
    });
  }

  /**
   * Renames the segments due for replay into the spool's claimed files: every segment older than
   * `confirmAfterMs` and, with `ownToo`, every segment of this process (the next append starts a
   * new one). Returns how many were released.
   */
  release(ownToo: boolean): number {
    const directory = path.dirname(this.spool.file);
    if (!fs.existsSync(directory)) return 0;
    // The segment being written is closed when asked, or once its time is up (the next append would start another).
    if (ownToo || (this.segment && Date.now() - this.segment.startedAt >= this.segmentMs)) this.segment = undefined;
    const prefix = `${path.basename(this.spool.file)}.journal.`;
    let released = 0;
    for (const name of fs.readdirSync(directory)) {
      const match = name.startsWith(prefix) ? SEGMENT.exec(name) : null;
      if (!match) continue;
      const file = path.join(directory, name);
      const own = match[1] === this.options.tag;
      const due = Number(match[2]) < Date.now() - this.confirmAfterMs || (ownToo && own);
      if (!due || file === this.segment?.file) continue;
      try {
        fs.renameSync(file, file.replace(/\.ndjson$/, this.spool.claimedSuffix));
        released += 1;
      } catch (error) {
        // Another process released it first.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return released;
  }

  /** Synchronous on purpose: a release (a rename) can then never come between a write and its fsync. */
  private flush(): void {
    const batch = this.waiting;
    this.waiting = [];
    try {
      appendDurably(this.currentFile(), batch.map((item) => item.line).join(''));
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) item.resolve();
  }

  private currentFile(): string {
    const now = Date.now();
    if (!this.segment || now - this.segment.startedAt >= this.segmentMs) {
      this.segments += 1;
      this.segment = { file: `${this.spool.file}.journal.${this.options.tag}.${now}-${this.segments}.ndjson`, startedAt: now };
    }
    return this.segment.file;
  }
}
