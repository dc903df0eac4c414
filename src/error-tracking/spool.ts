import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorJobData } from '../queues/job-data';

/** One line of the spool: an error that could reach neither Redis nor PostgreSQL (or not both). */
export interface SpoolEntry {
  record: ErrorJobData;
  /** Owner of the code's reservation; replays claim the code with it, so they are idempotent. */
  captureId: string;
  /** True when the code was reserved in Redis before it was shown; false: to be checked at replay. */
  reserved: boolean;
  /** True when the row is already in PostgreSQL (only the Discord log is missing). */
  persisted: boolean;
  /** Replays that failed on this entry alone (others of its round went through); quarantined at `MAX_ENTRY_FAILURES`. */
  failures?: number;
}

/** An entry failing this many replays on its own is moved to the quarantine file. */
export const MAX_ENTRY_FAILURES = 3;

const CLAIMED = '.replaying';

/**
 * A local file of errors waiting for the services (one JSON object per line). Appends are
 * synchronous and fsync'd: once `append` returns, the error survives a crash. A replay first
 * renames the file (atomic), so new appends go to a fresh file while the old one is replayed.
 */
export class ErrorSpool {
  private sequence = 0;
  /** Names this instance's claimed files (pids repeat across containers). */
  private readonly tag = randomBytes(4).toString('hex');
  readonly claimedSuffix = CLAIMED;
  /** Entries that kept failing, kept for a human (one JSON object per line, with the last error). */
  readonly quarantineFile: string;

  constructor(readonly file: string) {
    this.quarantineFile = `${file}.quarantine`;
  }

  append(entry: SpoolEntry): void {
    appendDurably(this.file, `${JSON.stringify(entry)}\n`);
  }

  /** Moves entries out of the replay for good: appended to `<path>.quarantine` with why. */
  quarantine(entries: readonly { entry: SpoolEntry; reason: string }[]): void {
    if (entries.length === 0) return;
    appendDurably(this.quarantineFile, entries.map(({ entry, reason }) => `${JSON.stringify({ ...entry, reason })}\n`).join(''));
  }

  /**
   * Takes every file waiting for replay: the live spool (renamed to a claimed name) and claimed
   * files left by a replay that did not finish (e.g. a crash). Returns their paths.
   */
  claim(): string[] {
    this.sequence += 1;
    const claimed = `${this.file}.${this.tag}.${Date.now()}.${this.sequence}${CLAIMED}`;
    try {
      fs.renameSync(this.file, claimed);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    return this.claimedFiles().sort();
  }

  /** The entries of a claimed file; a line torn by a crash mid-write is skipped. */
  read(file: string): SpoolEntry[] {
    const entries: SpoolEntry[] = [];
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as SpoolEntry);
      } catch {
        // Only the last line can be torn, and it was never acknowledged to anyone.
      }
    }
    return entries;
  }

  /** Rewrites a claimed file with the entries still to replay, or deletes it when none are left. */
  settle(file: string, remaining: readonly SpoolEntry[]): void {
    if (remaining.length === 0) {
      fs.rmSync(file, { force: true });
      return;
    }
    replaceDurably(file, remaining.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  }

  /** Errors waiting in the live spool and in claimed files. */
  pending(): number {
    const files = [this.file, ...this.claimedFiles()];
    return files.reduce((sum, file) => sum + (fs.existsSync(file) ? this.read(file).length : 0), 0);
  }

  private claimedFiles(): string[] {
    const directory = path.dirname(this.file);
    const base = path.basename(this.file);
    if (!fs.existsSync(directory)) return [];
    return fs
      .readdirSync(directory)
      .filter((name) => name.startsWith(`${base}.`) && name.endsWith(CLAIMED))
      .map((name) => path.join(directory, name));
  }
}

/**
 * Appends `text` (whole lines) to `file` and fsyncs it: once this returns, the text survives a
 * crash. A file not ending with a newline holds a line torn by a crash mid-write: a newline first
 * keeps that torn line apart, or it would make the first line appended now unreadable too.
 */
export function appendDurably(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a+');
  try {
    fs.writeSync(fd, endsTorn(fd) ? `\n${text}` : text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function endsTorn(fd: number): boolean {
  const { size } = fs.fstatSync(fd);
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

/** Replaces `file` with `text` so that a crash leaves the old content or the new one, whole. */
function replaceDurably(file: string, text: string): void {
  const temporary = `${file}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
