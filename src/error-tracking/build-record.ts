import type { NewErrorRecord } from '../db/api';
import { isSnowflake } from '../core/snowflake';
import { sanitiseContext } from './context';
import { redactText } from '../core/redact';
import { firstProjectFrame } from './stack';
import { clipText, storableText } from '../core/storable';

/** What the caller knows about where an error happened. IDs are snowflake strings. */
export interface CaptureMeta {
  userId?: string | null;
  guildId?: string | null;
  /** The command's name, e.g. `dev error`. */
  command?: string | null;
  /** Anything useful for debugging; made JSON-safe, redacted and capped. */
  context?: unknown;
}

export interface BuildRecordOptions {
  /** Frames under this directory (outside node_modules) are "our code". */
  projectRoot: string;
  contextMaxBytes: number;
  /** Default: now. */
  now?: Date;
}

/** Column limits of `errors` (see the entity). */
const MAX_TYPE = 200;
const MAX_COMMAND = 100;
const MAX_FILE = 1024;
const MAX_MESSAGE = 4000;
const MAX_TRACEBACK = 16_000;

/**
 * Every column of an `errors` row but the code, from a thrown value and its metadata; every text is
 * storable (no NUL, no lone surrogate) and redacted before it leaves the tracker.
 */
export function buildErrorRecord(error: unknown, meta: CaptureMeta, options: BuildRecordOptions): Omit<NewErrorRecord, 'errorCode'> {
  const isError = error instanceof Error;
  // A hostile error (getters that throw, a non-string message) must still give a storable row.
  const stack = isError ? readText(() => error.stack) : undefined;
  const location = firstProjectFrame(stack, options.projectRoot);
  // A malformed ID must not make the row unstorable: it moves into the context instead.
  const badIds = { userId: meta.userId, guildId: meta.guildId };
  const userId = validId(meta.userId);
  const guildId = validId(meta.guildId);
  const extra = Object.fromEntries(
    Object.entries(badIds)
      .filter(([, id]) => id != null && validId(id) === null)
      .map(([key, id]) => [`invalid_${key}`, id]),
  );
  return {
    errorType: clipStorable(errorTypeOf(error), MAX_TYPE),
    message: clipStorable(redactText(isError ? (readText(() => error.message) ?? '') : describeThrown(error)), MAX_MESSAGE),
    fileSource: location ? clipStorable(location.file, MAX_FILE) : null,
    lineNumber: location?.line ?? null,
    traceback: stack === undefined ? null : clipStorable(redactText(stack), MAX_TRACEBACK),
    userId,
    guildId,
    command: meta.command == null ? null : clipStorable(describeThrown(meta.command), MAX_COMMAND),
    timestamp: options.now ?? new Date(),
    context: sanitiseContext(
      Object.keys(extra).length > 0 ? { ...asObject(meta.context), ...extra } : (meta.context ?? {}),
      options.contextMaxBytes,
    ),
  };
}

/** The error's class name; for a thrown non-Error, its kind (`string`, `object`, …). Never empty. */
function errorTypeOf(error: unknown): string {
  if (error instanceof Error) {
    const name = readText(() => (error.constructor as { name?: unknown } | undefined)?.name) || readText(() => error.name);
    return name?.trim() ? name : 'Error';
  }
  if (error === null) return 'null';
  return `thrown ${typeof error}`;
}

/** A property that should be a string, read without trusting it: undefined when missing or unreadable. */
function readText(read: () => unknown): string | undefined {
  try {
    const value = read();
    return value === undefined ? undefined : describeThrown(value);
  } catch {
    return undefined;
  }
}

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    try {
      return String(value);
    } catch {
      return `[unprintable ${typeof value}]`;
    }
  }
}

function validId(id: unknown): string | null {
  return typeof id === 'string' && isSnowflake(id) ? id : null;
}

function asObject(context: unknown): object {
  return typeof context === 'object' && context !== null ? context : { value: context };
}

/** Storable (see `storableText`) and at most `max` UTF-16 units, a surrogate pair never cut in two. */
function clipStorable(text: string, max: number): string {
  return clipText(storableText(text), max);
}
