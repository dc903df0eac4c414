import { Writable } from 'node:stream';
import pino from 'pino';

export interface RecordedLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger (level info) whose lines land in `lines`, parsed. */
export function recordingLogger(): { logger: pino.Logger; lines: RecordedLine[] } {
  const lines: RecordedLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as RecordedLine);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}
