import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorSpool, type SpoolEntry } from '../../src/error-tracking/spool';

const entry = (code: string): SpoolEntry => ({
  record: {
    errorCode: code,
    errorType: 'Error',
    message: 'm',
    fileSource: null,
    lineNumber: null,
    traceback: null,
    userId: null,
    guildId: null,
    command: null,
    timestamp: new Date(0).toISOString(),
    context: {},
  },
  captureId: `c-${code}`,
  reserved: true,
  persisted: false,
});

describe('the error spool file after a crash', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'moddy-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps an entry appended after a line torn by a crash mid-write (the torn one is skipped)', () => {
    const spool = new ErrorSpool(path.join(dir, 'spool.ndjson'));
    spool.append(entry('AAAAAAA1'));
    const torn = JSON.stringify(entry('AAAAAAA2')).slice(0, 40);
    fs.appendFileSync(spool.file, torn);
    spool.append(entry('AAAAAAA3'));
    const [claimed] = spool.claim();
    expect(spool.read(claimed ?? '').map((read) => read.record.errorCode)).toEqual(['AAAAAAA1', 'AAAAAAA3']);
  });
});
