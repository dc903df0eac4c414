import type { DataSource } from 'typeorm';
import { DataValueTooLargeError, InvalidArgumentError } from '../../core/moddy-error';
import { assertSnowflake } from '../../core/snowflake';
import { normaliseErrorCode } from '../../core/error-code';
import { cutText, storableJson, storableText } from '../../core/storable';
import type { ErrorRecord, JsonObject, JsonValue, NewErrorRecord } from '../api';
import { deleteInBatches, selectOne } from '../sql';
import { assertNumberInRange, assertText } from '../validate-input';

const COLUMNS = `error_code AS "errorCode", error_type AS "errorType", message, file_source AS "fileSource",
  line_number AS "lineNumber", traceback, user_id::text AS "userId", guild_id::text AS "guildId", command,
  "timestamp", context`;

/** SQL for the `errors` table. Inputs arrive validated (`validateErrorRecords`). */
export class ErrorRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One multi-row statement (arrays unnested server-side, so the parameter count is fixed whatever
   * the batch size); a code already stored is skipped. Returns how many rows were new.
   */
  async insertMany(records: readonly NewErrorRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    const column = <T>(pick: (record: NewErrorRecord) => T): T[] => records.map(pick);
    const row = await selectOne<{ n: number }>(
      this.dataSource,
      `WITH inserted AS (
         INSERT INTO errors (error_code, error_type, message, file_source, line_number, traceback,
                             user_id, guild_id, command, "timestamp", context)
         SELECT code, type, message, file, line, traceback, user_id, guild_id, command, ts, context::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[],
                     $7::bigint[], $8::bigint[], $9::text[], $10::timestamptz[], $11::text[])
              AS r(code, type, message, file, line, traceback, user_id, guild_id, command, ts, context)
         ON CONFLICT (error_code) DO NOTHING
         RETURNING 1
       ) SELECT count(*)::int AS n FROM inserted`,
      [
        column((r) => r.errorCode),
        column((r) => r.errorType),
        column((r) => r.message),
        column((r) => r.fileSource ?? null),
        column((r) => r.lineNumber ?? null),
        column((r) => r.traceback ?? null),
        column((r) => r.userId ?? null),
        column((r) => r.guildId ?? null),
        column((r) => r.command ?? null),
        column((r) => (r.timestamp ?? new Date()).toISOString()),
        column((r) => JSON.stringify(r.context ?? {})),
      ],
    );
    return row?.n ?? 0;
  }

  async find(code: string): Promise<ErrorRecord | null> {
    const row = await selectOne<ErrorRecord & { context: JsonObject }>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM errors WHERE error_code = $1`,
      [code],
    );
    return row ?? null;
  }

  deleteOlderThan(days: number, batchSize: number): Promise<number> {
    return deleteInBatches(this.dataSource, 'errors', 'error_code', `"timestamp" < now() - $1 * interval '1 day'`, [days], batchSize);
  }
}

/** Largest stored context, in bytes of JSON (the tracker caps its own at 16 KiB by default). */
export const MAX_ERROR_CONTEXT_BYTES = 1024 * 1024;

/**
 * Error records as the `errors` table stores them. Texts are made storable rather than refused (the
 * user was already shown the code): NUL bytes and lone surrogates become U+FFFD, over-long free
 * texts are cut without splitting a surrogate pair. What cannot be an error record is refused with
 * an `InvalidArgumentError` (or the code's `InvalidErrorCodeError`): a non-object record or
 * context, a context that is not JSON (cyclic, BigInt, a throwing getter), an invalid date.
 */
export function validateErrorRecords(records: unknown): NewErrorRecord[] {
  if (!Array.isArray(records)) throw new InvalidArgumentError('error records must be an array');
  return records.map(validateErrorRecord);
}

function validateErrorRecord(input: unknown): NewErrorRecord {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new InvalidArgumentError('an error record must be an object');
  const record = input as Partial<Record<keyof NewErrorRecord, unknown>>;
  const timestamp = record.timestamp ?? new Date();
  if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime())) throw new InvalidArgumentError('timestamp must be a valid Date');
  if (typeof record.message !== 'string') throw new InvalidArgumentError('message must be a string');
  return {
    errorCode: normaliseErrorCode(record.errorCode),
    errorType: assertText('errorType', typeof record.errorType === 'string' ? storableText(record.errorType) : record.errorType, 200),
    message: storableFreeText('message', record.message, 64 * 1024) ?? '',
    fileSource: storableFreeText('fileSource', record.fileSource, 1024),
    lineNumber: record.lineNumber == null ? null : assertNumberInRange('lineNumber', record.lineNumber, 0, 2 ** 31 - 1, true),
    traceback: storableFreeText('traceback', record.traceback, 64 * 1024),
    userId: record.userId == null ? null : assertSnowflake(record.userId, 'user ID'),
    guildId: record.guildId == null ? null : assertSnowflake(record.guildId, 'guild ID'),
    command: storableFreeText('command', record.command, 100),
    timestamp,
    context: storableContext(record.context),
  };
}

/** `null`/`undefined`, or a string made storable and cut to `maxUnits` UTF-16 units. */
function storableFreeText(label: string, value: unknown, maxUnits: number): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new InvalidArgumentError(`${label} must be a string or null`);
  return cutText(storableText(value), maxUnits);
}

/**
 * The context serialised once (so a `toJSON` or a getter answering differently on each read is
 * judged by what would be stored), read back as plain JSON and made storable.
 */
function storableContext(context: unknown): JsonObject {
  if (context === null || context === undefined) return {};
  if (typeof context !== 'object' || Array.isArray(context)) throw new InvalidArgumentError('context must be a JSON object');
  let json: string | undefined;
  try {
    json = JSON.stringify(context);
  } catch (error) {
    throw new InvalidArgumentError(`context is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = json === undefined ? undefined : (JSON.parse(json) as JsonValue);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidArgumentError('context must serialise to a JSON object');
  const bytes = Buffer.byteLength(json ?? '');
  if (bytes > MAX_ERROR_CONTEXT_BYTES) throw new DataValueTooLargeError(bytes, MAX_ERROR_CONTEXT_BYTES);
  return storableJson(parsed) as JsonObject;
}
