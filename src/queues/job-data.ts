import type { ErrorRecord, NewErrorRecord } from '../db/api';

/** An error as it travels in a job (and in the spool): a complete row, the timestamp as ISO text (jobs are JSON). */
export interface ErrorJobData extends Omit<ErrorRecord, 'timestamp'> {
  timestamp: string;
}

/**
 * The job id of an error in either queue: derived from the code, so a retried enqueue is a no-op.
 * Prefixed because BullMQ refuses ids that look like integers, and a code can be all digits.
 */
export function errorJobId(code: string): string {
  return `err-${code}`;
}

export function toErrorJobData(record: NewErrorRecord): ErrorJobData {
  return {
    errorCode: record.errorCode,
    errorType: record.errorType,
    message: record.message,
    fileSource: record.fileSource ?? null,
    lineNumber: record.lineNumber ?? null,
    traceback: record.traceback ?? null,
    userId: record.userId ?? null,
    guildId: record.guildId ?? null,
    command: record.command ?? null,
    timestamp: (record.timestamp ?? new Date()).toISOString(),
    context: record.context ?? {},
  };
}

export function fromErrorJobData(data: ErrorJobData): NewErrorRecord {
  return { ...data, timestamp: new Date(data.timestamp) };
}
