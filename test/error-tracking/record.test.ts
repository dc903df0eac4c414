import path from 'node:path';
import { buildErrorRecord } from '../../src/error-tracking/build-record';
import { sanitiseContext } from '../../src/error-tracking/context';
import { REDACTED } from '../../src/core/redact';
import { toJsonSafe } from '../../src/error-tracking/safe-json';
import { firstProjectFrame } from '../../src/error-tracking/stack';

const ROOT = path.resolve(__dirname, '../..');

class CommandFailedError extends Error {}

describe('the context of an error', () => {
  it('survives circular references, BigInts, Maps, Dates and Error causes', () => {
    const context: Record<string, unknown> = { big: 12345678901234567890n, at: new Date('2024-01-02T03:04:05Z'), map: new Map([['a', 1]]) };
    context.self = context;
    context.failure = new Error('outer', { cause: new TypeError('inner') });
    const safe = toJsonSafe(context) as Record<string, unknown>;
    expect(safe.big).toBe('12345678901234567890');
    expect(safe.at).toBe('2024-01-02T03:04:05.000Z');
    expect(safe.map).toEqual({ a: 1 });
    expect(safe.self).toBe('[Circular]');
    expect(safe.failure).toMatchObject({ name: 'Error', message: 'outer', cause: { name: 'TypeError', message: 'inner' } });
    expect(() => JSON.stringify(safe)).not.toThrow();
  });

  it('redacts tokens, passwords and Authorization values, by key and inside text', () => {
    const token = `${'M'.repeat(24)}.${'G'.repeat(6)}.${'x'.repeat(30)}`;
    const context = sanitiseContext({
      headers: { Authorization: 'Bot abc', 'x-trace': 'ok' },
      password: 'hunter2',
      nested: { apiKey: 'k', list: [{ refresh_token: 't' }] },
      note: `login with ${token} failed`,
      url: 'postgres://moddy:s3cret@db:5432/moddy',
      header: 'Bearer abcdefghijklmnopqrstuvwxyz012345',
    });
    expect(context).toEqual({
      headers: { Authorization: REDACTED, 'x-trace': 'ok' },
      password: REDACTED,
      nested: { apiKey: REDACTED, list: [{ refresh_token: REDACTED }] },
      note: `login with ${REDACTED} failed`,
      url: `postgres://moddy:${REDACTED}@db:5432/moddy`,
      header: `Bearer ${REDACTED}`,
    });
  });

  it('is capped in size: long strings first, then a preview', () => {
    const shortened = sanitiseContext({ blob: 'x'.repeat(10_000), id: 1 }, 2048);
    expect(shortened.truncated).toBe(true);
    expect(shortened.id).toBe(1);
    expect(Buffer.byteLength(JSON.stringify(shortened))).toBeLessThanOrEqual(2048);

    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`key${i}`, 'y'.repeat(100)]));
    const preview = sanitiseContext(many, 2048);
    expect(preview).toMatchObject({ truncated: true });
    expect(typeof preview.preview).toBe('string');
    expect(Buffer.byteLength(JSON.stringify(preview))).toBeLessThanOrEqual(2048);
  });
});

describe('the source of an error', () => {
  it('is the first frame in our code, skipping node_modules and Node internals', () => {
    const stack = [
      'Error: boom',
      `    at Object.query (${ROOT}/node_modules/pg/lib/client.js:526:17)`,
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      `    at async Ping.run (${ROOT}/src/bot/commands/ping.ts:42:9)`,
      `    at ${ROOT}/src/bot/middleware.ts:10:3`,
    ].join('\n');
    expect(firstProjectFrame(stack, ROOT)).toEqual({ file: 'src/bot/commands/ping.ts', line: 42 });
    expect(firstProjectFrame(`Error\n    at x (${ROOT}/node_modules/a/b.js:1:1)`, ROOT)).toBeNull();
    expect(firstProjectFrame(undefined, ROOT)).toBeNull();
  });
});

describe('buildErrorRecord', () => {
  it('fills every column of errors', () => {
    const error = new CommandFailedError('Could not load Bearer abcdefghijklmnopqrstuvwxyz');
    const now = new Date('2024-05-06T07:08:09Z');
    const record = buildErrorRecord(
      error,
      { userId: '123456789012345678', guildId: '223456789012345678', command: 'dev error', context: { option: 1 } },
      { projectRoot: ROOT, contextMaxBytes: 4096, now },
    );
    expect(record).toEqual({
      errorType: 'CommandFailedError',
      message: `Could not load Bearer ${REDACTED}`,
      fileSource: 'test/error-tracking/record.test.ts',
      lineNumber: expect.any(Number),
      traceback: expect.stringContaining('record.test.ts') as string,
      userId: '123456789012345678',
      guildId: '223456789012345678',
      command: 'dev error',
      timestamp: now,
      context: { option: 1 },
    });
    expect(record.traceback).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  it('stores a thrown non-Error and moves malformed IDs into the context', () => {
    const record = buildErrorRecord({ reason: 'nope' }, { userId: 'not-a-snowflake' }, { projectRoot: ROOT, contextMaxBytes: 4096 });
    expect(record).toMatchObject({
      errorType: 'thrown object',
      message: '{"reason":"nope"}',
      userId: null,
      traceback: null,
      fileSource: null,
      context: { invalid_userId: 'not-a-snowflake' },
    });
  });
});
