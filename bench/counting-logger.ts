import { Writable } from 'node:stream';
import pino from 'pino';

export interface CountingLogger {
  logger: pino.Logger;
  /** Lines logged so far (warnings and errors), by message and the message of their `err`. */
  counts: Map<string, number>;
  /** `none`, or each message with its count. */
  summary(): string;
}

/**
 * A warn-level pino logger that counts its lines by message instead of printing them: a tracker
 * warning is an error that left the Redis path, and a burst of them printed one by one (synchronous
 * writes) would stall the very process being measured.
 */
export function countingLogger(): CountingLogger {
  const counts = new Map<string, number>();
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const { msg = '', err } = JSON.parse(chunk.toString()) as { msg?: string; err?: { message?: string } };
      const key = err?.message === undefined ? msg : `${msg} (${err.message})`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      done();
    },
  });
  return {
    logger: pino({ level: 'warn' }, stream),
    counts,
    summary: () => (counts.size === 0 ? 'none' : [...counts].map(([msg, n]) => `${n} × "${msg}"`).join('; ')),
  };
}
