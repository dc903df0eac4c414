import { ValidationError } from '../../src/core/moddy-error';
import type { CachedGuildInput, JsonValue } from '../../src/db/api';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '../helpers/postgres-database';

/*
 * Input an attacker or a buggy caller can send through the public data API. Each must be refused
 * with a `ValidationError` (never a driver error or a TypeError) and change nothing.
 */

let t: TestPostgresDatabase;
let nextId = 510000000000000000n;
const freshId = (): string => String((nextId += 1n));
const DEV = '111111111111111111';

beforeAll(async () => {
  t = await createTestPostgresDatabase({ maxDataValueBytes: 4096 });
});
afterAll(async () => {
  await t.cleanup();
});

const NUL = 'a\u0000b';
const LONE_HIGH = 'x\ud83dy';
const LONE_LOW = 'x\ude00';

/** Rows of every table the API writes, to show a refused call changed nothing. */
async function snapshot(): Promise<unknown> {
  const tables = ['users', 'guilds', 'attribute_changes', 'guilds_cache', 'errors'];
  return Promise.all(tables.map((table) => t.db.dataSource.query(`SELECT * FROM ${table} ORDER BY 1`)));
}

async function expectRefused(call: () => Promise<unknown>): Promise<void> {
  const before = await snapshot();
  const error: unknown = await call().then(
    () => new Error('was accepted'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect(await snapshot()).toEqual(before);
}

function cyclic(): JsonValue {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value as JsonValue;
}

/** Answers a harmless value to the first read and a prototype-polluting one afterwards. */
function shapeShifter(): JsonValue {
  let reads = 0;
  return Object.defineProperty({}, 'x', {
    enumerable: true,
    get: () => (reads++ === 0 ? 1 : JSON.parse('{"__proto__": {"admin": true}}')),
  }) as JsonValue;
}

describe('data values', () => {
  const values: [string, unknown][] = [
    ['a NUL in a string', { note: NUL }],
    ['a NUL in a key', { [NUL]: 1 }],
    ['a lone high surrogate', [LONE_HIGH]],
    ['a lone low surrogate in a key', { [LONE_LOW]: true }],
    ['a cycle', cyclic()],
    ['a BigInt', { n: 10n }],
    ['a function', { run: () => 1 }],
    ['undefined', undefined],
    ['a symbol', { s: Symbol('x') }],
    ['NaN', { n: Number.NaN }],
    ['a Date', new Date()],
    ['a toJSON that smuggles __proto__', { toJSON: () => JSON.parse('{"__proto__": {"admin": true}}') as unknown }],
    ['a getter that answers differently on each read', shapeShifter()],
    ['a prototype key parsed from JSON', JSON.parse('{"constructor": {"prototype": {}}}')],
    ['a value over the size limit', 'x'.repeat(5000)],
    ['a value nested 40 deep', JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`)],
  ];

  it.each(values)('refuses %s and stores nothing', async (_label, value) => {
    const id = freshId();
    await expectRefused(() => t.db.updateUserData(id, 'payload', value as JsonValue));
    await expectRefused(() => t.db.updateGuildData(id, 'payload', value as JsonValue));
  });

  it('stores emoji, accents and escaped control characters exactly', async () => {
    const id = freshId();
    const value = { text: 'héllo 👋🏽 \t\n\u0001 "quoted"', '🔑': ['日本語'] };
    await t.db.updateUserData(id, 'payload', value);
    expect((await t.db.getUser(id))?.data).toEqual({ payload: value });
  });

  it.each(['a\u0000', '__proto__', 'a..b', '', 'x'.repeat(300), LONE_HIGH])('refuses the data path %j', async (path) => {
    await expectRefused(() => t.db.updateUserData(freshId(), path, 1));
  });
});

describe('attributes', () => {
  it.each([
    ['a NUL in the reason', ['user', 'BETA', true, DEV, NUL]],
    ['a lone surrogate in the reason', ['user', 'BETA', true, DEV, LONE_HIGH]],
    ['a NUL in the attribute name', ['user', 'BETA\u0000', true, DEV, 'r']],
    ['a NUL in the value', ['user', 'LANG', 'FR\u0000', DEV, 'r']],
    ['a NUL in the author', ['user', 'BETA', true, '1\u00001', 'r']],
    ['a numeric ID', ['user', 'BETA', true, DEV, 'r', 123456789012345678]],
    ['an ID with a sign', ['user', 'BETA', true, DEV, 'r', '-1']],
    ['an ID past 64 bits', ['user', 'BETA', true, DEV, 'r', '99999999999999999999']],
    ['an entity type of the prototype', ['__proto__', 'BETA', true, DEV, 'r']],
    ['an attribute of the prototype', ['user', 'constructor', true, DEV, 'r']],
  ] as [string, [string, string, unknown, string, string, unknown?]][])(
    'setAttribute refuses %s',
    async (_label, [type, name, value, by, reason, id]) => {
      await expectRefused(() => t.db.setAttribute(type as 'user', (id ?? freshId()) as string, name, value as boolean, by, reason));
    },
  );

  it('keeps a reason with emoji exactly', async () => {
    const id = freshId();
    await t.db.setAttribute('user', id, 'BETA', true, DEV, 'testeur 🧪 confirmé');
    const [change] = await t.db.getAttributeHistory('user', id);
    expect(change?.reason).toBe('testeur 🧪 confirmé');
  });
});

describe('guilds_cache', () => {
  const valid = (): CachedGuildInput => ({ guildId: freshId(), name: 'Guild', updateSource: 'bot_join' });
  const inputs: [string, () => unknown][] = [
    ['null', () => null],
    ['an array', () => []],
    ['a date PostgreSQL would parse', () => ({ ...valid(), createdAt: 'yesterday' })],
    ['an invalid Date', () => ({ ...valid(), createdAt: new Date('nope') })],
    ['a NUL in the name', () => ({ ...valid(), name: NUL })],
    ['a lone surrogate in the name', () => ({ ...valid(), name: LONE_HIGH })],
    ['a NUL in a feature', () => ({ ...valid(), features: ['COMMUNITY', NUL] })],
    ['a NUL in the icon URL', () => ({ ...valid(), iconUrl: NUL })],
    ['an object as icon URL', () => ({ ...valid(), iconUrl: { toString: () => 'x' } })],
    ['a NUL in raw data', () => ({ ...valid(), rawData: { description: NUL } })],
    ['an array as raw data', () => ({ ...valid(), rawData: [1] })],
    ['an unknown update source', () => ({ ...valid(), updateSource: 'bot_join\u0000' })],
  ];

  it.each(inputs)('upsertCachedGuild refuses %s', async (_label, input) => {
    await expectRefused(() => t.db.upsertCachedGuild(input() as CachedGuildInput));
  });

  it('keeps a null creation date and an emoji name', async () => {
    const guild = { ...valid(), name: 'Café ☕ 🇫🇷', createdAt: null };
    await t.db.upsertCachedGuild(guild);
    const row = await t.db.getCachedGuild(guild.guildId);
    expect(row?.name).toBe('Café ☕ 🇫🇷');
    expect(row?.createdAt).toBeNull();
  });
});
