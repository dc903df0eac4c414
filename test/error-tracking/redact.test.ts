import { Writable } from 'node:stream';
import pino from 'pino';
import { sanitiseContext } from '../../src/error-tracking/context';
import { logRedaction } from '../../src/core/log-redaction';
import { REDACTED, isSecretKey, redactSecrets, redactText } from '../../src/core/redact';
import { REPLACEMENT, clipText, cutText, storableJson, storableText } from '../../src/core/storable';

const BOT_TOKEN = `${'M'.repeat(24)}.${'G'.repeat(6)}.${'x'.repeat(30)}`;

describe('the redactor of stored errors and logs', () => {
  it.each([
    ['redis://:hunter2@cache:6379/0', `redis://:${REDACTED}@cache:6379/0`],
    ['connect redis://default:p@ss@w0rd@cache:6379 failed', `connect redis://default:${REDACTED}@cache:6379 failed`],
    ['postgres://moddy:s3cret@db:5432/moddy', `postgres://moddy:${REDACTED}@db:5432/moddy`],
    [
      'POST https://discord.com/api/webhooks/123456789012345678/AbC-dEf_ghI.jk failed',
      `POST https://discord.com/api/webhooks/123456789012345678/${REDACTED} failed`,
    ],
    ['/api/v10/interactions/123456789012345678/aW50ZXJhY3Rpb24/callback', `/api/v10/interactions/123456789012345678/${REDACTED}/callback`],
    ['GET /login?user=bob&password=hunter2&x=1', `GET /login?user=bob&password=${REDACTED}&x=1`],
    ['https://api.example/v1?token=abc123', `https://api.example/v1?token=${REDACTED}`],
    ['https://api.example/v1?SECRET=abc&access_token=def', `https://api.example/v1?SECRET=${REDACTED}&access_token=${REDACTED}`],
    ['https://api.example/v1?api_key=abc', `https://api.example/v1?api_key=${REDACTED}`],
    ['host=db user=moddy password=hunter2 dbname=moddy', `host=db user=moddy password=${REDACTED} dbname=moddy`],
    ['refresh failed: token=abc, retrying', `refresh failed: token=${REDACTED}, retrying`],
    [`login with ${BOT_TOKEN} failed`, `login with ${REDACTED} failed`],
    ['Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345', `Authorization: Bearer ${REDACTED}`],
  ])('redacts %s', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    const text = 'user bob (author) passed 3 checks at https://discord.com/channels/1/2?page=2 for monkey=3';
    expect(redactText(text)).toBe(text);
  });

  it('recognises secret keys whatever their case and style, and not words that merely contain them', () => {
    for (const key of [
      'pwd',
      'PASS',
      'pass',
      'auth',
      'Authorization',
      'cookie',
      'Set-Cookie',
      'token',
      'accessToken',
      'secret',
      'clientSecret',
      'apiKey',
      'API_KEY',
      'x-auth-token',
      'DB_PASSWORD',
    ]) {
      expect([key, isSecretKey(key)]).toEqual([key, true]);
    }
    for (const key of ['author', 'passengers', 'bypassed', 'keyboard', 'username', 'guildId']) {
      expect([key, isSecretKey(key)]).toEqual([key, false]);
    }
  });

  it('redacts nested secret keys and secret text in a stored context', () => {
    const context = sanitiseContext({
      request: { headers: { AUTHORIZATION: 'x', Cookie: 'y' }, query: { pwd: 'p', pass: 'q', auth: { user: 'u' } } },
      list: [{ apiKey: 'k' }, 'redis://:pw@host'],
    });
    expect(context).toEqual({
      request: { headers: { AUTHORIZATION: REDACTED, Cookie: REDACTED }, query: { pwd: REDACTED, pass: REDACTED, auth: REDACTED } },
      list: [{ apiKey: REDACTED }, `redis://:${REDACTED}@host`],
    });
    expect(redactSecrets({ token: null })).toEqual({ token: null });
  });

  it('is the one connection-string redactor of the project (the migration CLI, the demo and the tour print through it)', () => {
    expect(redactText('postgres://moddy:s3cret@db:5432/moddy')).not.toContain('s3cret');
    expect(redactText('postgres://moddy:s3cret@db:5432/moddy')).toContain('db:5432/moddy');
  });

  it("is applied to logs: pino's redact censors secret keys, messages and logged errors go through the text redactor", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'info', ...logRedaction() }, sink);
    const failure = new Error('connect redis://:hunter2@cache:6379 refused', {
      cause: new Error('token=abc at /api/webhooks/123456789012345678/tok3n'),
    });
    const fields = {
      err: failure,
      password: 'hunter2',
      options: { token: 'abc', deeper: { Pwd: 'pw1', API_KEY: 'pw2' } },
      url: 'redis://:pw3@cache',
    };
    logger.error(fields, 'cannot reach postgres://moddy:s3cret@db/moddy');
    const output = lines.join('');
    for (const secret of ['hunter2', 's3cret', 'tok3n', '"abc"', 'pw1', 'pw2', 'pw3']) expect(output).not.toContain(secret);
    // The caller's objects are left as they were.
    expect(fields.options.deeper.Pwd).toBe('pw1');
    const line = JSON.parse(output) as { msg: string; password: string; options: { token: string }; err: { message: string } };
    expect(line.msg).toBe(`cannot reach postgres://moddy:${REDACTED}@db/moddy`);
    expect(line.password).toBe(REDACTED);
    expect(line.options.token).toBe(REDACTED);
    expect(line.err.message).toBe(
      `connect redis://:${REDACTED}@cache:6379 refused: token=${REDACTED} at /api/webhooks/123456789012345678/${REDACTED}`,
    );
  });
});

describe('storable text', () => {
  const emoji = '😀';

  it('replaces NUL bytes and lone surrogates, and keeps surrogate pairs', () => {
    expect(storableText(`a\u0000b`)).toBe(`a${REPLACEMENT}b`);
    expect(storableText(`x\uD83Dy`)).toBe(`x${REPLACEMENT}y`);
    expect(storableText(`x\uDE00y\uD83D`)).toBe(`x${REPLACEMENT}y${REPLACEMENT}`);
    expect(storableText(`ok ${emoji}`)).toBe(`ok ${emoji}`);
  });

  it('never cuts a surrogate pair in two', () => {
    const text = `a${emoji.repeat(300)}`;
    for (let units = 0; units < 20; units += 1) {
      const cut = cutText(text, units);
      expect(cut.length).toBeLessThanOrEqual(units);
      expect(storableText(cut)).toBe(cut);
    }
    const clipped = clipText(text, 256);
    expect(clipped.length).toBeLessThanOrEqual(256);
    expect(storableText(clipped)).toBe(clipped);
  });

  it('reaches keys and nested values', () => {
    expect(storableJson({ 'k\u0000': ['\uD800', { deep: 'a\u0000' }] })).toEqual({
      [`k${REPLACEMENT}`]: [REPLACEMENT, { deep: `a${REPLACEMENT}` }],
    });
  });

  it('keeps a context over the cap full of emoji storable (strings shortened on pair boundaries)', () => {
    const context = sanitiseContext({ blob: `${'a'.repeat(255)}${emoji.repeat(10_000)}`, other: emoji.repeat(5000) }, 16 * 1024);
    const json = JSON.stringify(context);
    expect(context.truncated).toBe(true);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(16 * 1024);
    expect(json).not.toMatch(/\\ud[89a-f]/i);
  });
});
