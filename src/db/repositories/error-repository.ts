import type { DataSource } from 'typeorm';
import type { ErrorRecord, JsonObject, NewErrorRecord } from '../api';
import { deleteInBatches, selectOne } from '../sql';

const COLUMNS = `error_code AS "errorCode", error_type AS "errorType", message, file_source AS "fileSource",
  line_number AS "lineNumber", traceback, user_id::text AS "userId", guild_id::text AS "guildId", command,
  "timestamp", context`;

/** SQL for the `errors` table. Inputs arrive validated. */
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
