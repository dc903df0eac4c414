import {
  AttributeEntityMismatchError,
  InvalidArgumentError,
  InvalidAttributeValueError,
  InvalidEntityTypeError,
  InvalidIdError,
  UnknownAttributeError,
  ValidationError,
} from '../../src/core/moddy-error';
import type { EntityType } from '../../src/attributes/registry';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '../helpers/postgres-database';

const DEV = '111111111111111111';
const BIG_ID = '1234567890123456789'; // above 2^53: must survive as a string

let t: TestPostgresDatabase;
let nextId = 200000000000000000n;
const freshId = (): string => String((nextId += 1n));

beforeAll(async () => {
  t = await createTestPostgresDatabase();
});
afterAll(async () => {
  await t.cleanup();
});

async function rowCount(table: string): Promise<number> {
  const rows = (await t.db.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`)) as { n: number }[];
  return rows[0]?.n ?? 0;
}

describe('boolean attributes', () => {
  it('are stored only while true, and false or null removes them', async () => {
    const id = freshId();
    expect(await t.db.hasAttribute('user', id, 'BETA')).toBe(false);

    expect(await t.db.setAttribute('user', id, 'BETA', true, DEV, 'beta access')).toEqual({
      changed: true,
      oldValue: null,
      newValue: true,
    });
    expect(await t.db.hasAttribute('user', id, 'BETA')).toBe(true);
    expect(await t.db.getAttribute('user', id, 'BETA')).toBe(true);
    expect((await t.db.getUser(id))?.attributes).toEqual({ BETA: true });

    await t.db.setAttribute('user', id, 'BETA', false, DEV, 'end of beta');
    expect(await t.db.hasAttribute('user', id, 'BETA')).toBe(false);
    expect((await t.db.getUser(id))?.attributes).toEqual({});

    await t.db.setAttribute('user', id, 'PREMIUM', true, DEV, 'bought premium');
    await t.db.setAttribute('user', id, 'PREMIUM', null, DEV, 'premium ended');
    expect((await t.db.getUser(id))?.attributes).toEqual({});
  });

  it('work on guilds with the guild attributes', async () => {
    const id = freshId();
    await t.db.setAttribute('guild', id, 'PREMIUM_GUILD', true, DEV, 'premium purchase');
    expect(await t.db.getAttributes('guild', id)).toEqual({ PREMIUM_GUILD: true });
    expect(await t.db.getGuildsWithAttribute('PREMIUM_GUILD')).toContain(id);
  });
});

describe('valued attributes', () => {
  it('store their value and null removes it', async () => {
    const id = freshId();
    await t.db.setAttribute('user', id, 'LANG', 'FR', DEV, 'user preference');
    expect(await t.db.getAttribute('user', id, 'LANG')).toBe('FR');
    expect(await t.db.hasAttribute('user', id, 'LANG')).toBe(true);
    const result = await t.db.setAttribute('user', id, 'LANG', 'EN', DEV, 'language change');
    expect(result).toEqual({ changed: true, oldValue: 'FR', newValue: 'EN' });
    await t.db.setAttribute('user', id, 'LANG', null, DEV, 'reset');
    expect(await t.db.getAttribute('user', id, 'LANG')).toBeNull();
    expect(await t.db.getAttributes('user', id)).toEqual({});
  });
});

describe('the audit trail', () => {
  it('records who, old, new and why, and tells true, "FR" and absent apart', async () => {
    const id = freshId();
    await t.db.setAttribute('user', id, 'LANG', 'FR', DEV, 'first');
    await t.db.setAttribute('user', id, 'BLACKLISTED', true, DEV, 'spam');
    await t.db.setAttribute('user', id, 'BLACKLISTED', false, DEV, 'appeal accepted');
    const history = await t.db.getAttributeHistory('user', id);
    expect(
      history.map(({ attributeName, oldValue, newValue, changedBy, reason, entityType, entityId }) => ({
        attributeName,
        oldValue,
        newValue,
        changedBy,
        reason,
        entityType,
        entityId,
      })),
    ).toEqual([
      { attributeName: 'LANG', oldValue: null, newValue: 'FR', changedBy: DEV, reason: 'first', entityType: 'user', entityId: id },
      { attributeName: 'BLACKLISTED', oldValue: null, newValue: true, changedBy: DEV, reason: 'spam', entityType: 'user', entityId: id },
      {
        attributeName: 'BLACKLISTED',
        oldValue: true,
        newValue: null,
        changedBy: DEV,
        reason: 'appeal accepted',
        entityType: 'user',
        entityId: id,
      },
    ]);
    expect(history[0]?.changedAt).toBeInstanceOf(Date);
  });

  it('writes no row for a change that changes nothing', async () => {
    const id = freshId();
    await t.db.setAttribute('user', id, 'VERIFIED', true, DEV, 'verified');
    const again = await t.db.setAttribute('user', id, 'VERIFIED', true, DEV, 'again');
    expect(again.changed).toBe(false);
    const removeAbsent = await t.db.setAttribute('user', id, 'TRACK', false, DEV, 'nothing to remove');
    expect(removeAbsent).toEqual({ changed: false, oldValue: null, newValue: null });
    expect(await t.db.getAttributeHistory('user', id)).toHaveLength(1);
  });

  it('serialises concurrent changes: each old value is the previous new value', async () => {
    const id = freshId();
    await Promise.all(Array.from({ length: 50 }, (_, i) => t.db.setAttribute('user', id, 'BETA', i % 2 === 0, DEV, `toggle ${i}`)));
    const history = await t.db.getAttributeHistory('user', id, { limit: 1000 });
    expect(history.length).toBeGreaterThan(0);
    expect(history[0]?.oldValue).toBeNull();
    for (let i = 1; i < history.length; i += 1) {
      expect(history[i]?.oldValue).toEqual(history[i - 1]?.newValue);
      expect(history[i]?.newValue).not.toEqual(history[i]?.oldValue);
    }
    const final = (await t.db.getAttribute('user', id, 'BETA')) ?? null;
    expect(final).toEqual(history[history.length - 1]?.newValue);
  });

  it('returns the latest entries, oldest first, within a limit', async () => {
    const id = freshId();
    for (const lang of ['FR', 'EN', 'FR', 'EN']) await t.db.setAttribute('guild', id, 'LANG', lang, DEV, `to ${lang}`);
    const latest = await t.db.getAttributeHistory('guild', id, { limit: 2 });
    expect(latest.map((change) => change.reason)).toEqual(['to FR', 'to EN']);
    expect(latest[0]?.oldValue).toBe('EN');
  });
});

describe('rows', () => {
  it('setAttribute creates the row; reads never do', async () => {
    const id = freshId();
    const before = await rowCount('users');
    expect(await t.db.hasAttribute('user', id, 'BETA')).toBe(false);
    expect(await t.db.getAttributes('user', id)).toEqual({});
    expect(await t.db.getUser(id)).toBeNull();
    expect(await rowCount('users')).toBe(before);
    await t.db.setAttribute('user', id, 'SUPPORTER', true, DEV, 'donation');
    expect(await rowCount('users')).toBe(before + 1);
  });

  it('keeps snowflakes above 2^53 exact', async () => {
    await t.db.setAttribute('user', BIG_ID, 'DEVELOPER', true, BIG_ID, 'big id');
    const user = await t.db.getUser(BIG_ID);
    expect(user?.userId).toBe(BIG_ID);
    expect(await t.db.getUsersWithAttribute('DEVELOPER')).toEqual([BIG_ID]);
    expect((await t.db.getAttributeHistory('user', BIG_ID))[0]).toMatchObject({ entityId: BIG_ID, changedBy: BIG_ID });
  });
});

describe('refused input changes nothing', () => {
  const cases: [string, () => Promise<unknown>, new (...args: never[]) => ValidationError][] = [
    ['unknown attribute', () => t.db.setAttribute('user', '300000000000000001', 'GOD_MODE', true, DEV, 'x'), UnknownAttributeError],
    ['prototype name', () => t.db.setAttribute('user', '300000000000000001', '__proto__', true, DEV, 'x'), UnknownAttributeError],
    [
      'guild attribute on a user',
      () => t.db.setAttribute('user', '300000000000000001', 'PREMIUM_GUILD', true, DEV, 'x'),
      AttributeEntityMismatchError,
    ],
    [
      'user attribute on a guild',
      () => t.db.setAttribute('guild', '300000000000000001', 'BLACKLISTED', true, DEV, 'x'),
      AttributeEntityMismatchError,
    ],
    [
      'string for a boolean',
      () => t.db.setAttribute('user', '300000000000000001', 'BETA', 'yes' as never, DEV, 'x'),
      InvalidAttributeValueError,
    ],
    ['boolean for a valued', () => t.db.setAttribute('user', '300000000000000001', 'LANG', true, DEV, 'x'), InvalidAttributeValueError],
    ['value not allowed', () => t.db.setAttribute('user', '300000000000000001', 'LANG', 'KLINGON', DEV, 'x'), InvalidAttributeValueError],
    ['malformed id', () => t.db.setAttribute('user', '12ab', 'BETA', true, DEV, 'x'), InvalidIdError],
    ['numeric id', () => t.db.setAttribute('user', 123 as never, 'BETA', true, DEV, 'x'), InvalidIdError],
    ['id over 64 bits', () => t.db.setAttribute('user', '99999999999999999999', 'BETA', true, DEV, 'x'), InvalidIdError],
    ['leading zero id', () => t.db.setAttribute('user', '0300000000000000001', 'BETA', true, DEV, 'x'), InvalidIdError],
    ['malformed changedBy', () => t.db.setAttribute('user', '300000000000000001', 'BETA', true, 'dev', 'x'), InvalidIdError],
    ['empty reason', () => t.db.setAttribute('user', '300000000000000001', 'BETA', true, DEV, '  '), InvalidArgumentError],
    [
      'bad entity type',
      () => t.db.setAttribute('member' as EntityType, '300000000000000001', 'BETA', true, DEV, 'x'),
      InvalidEntityTypeError,
    ],
    ['unknown attribute read', () => t.db.hasAttribute('user', '300000000000000001', 'NOPE'), UnknownAttributeError],
    ['malformed id read', () => t.db.getAttributes('user', '-1'), InvalidIdError],
    ['bad query value', () => t.db.getUsersWithAttribute('BETA', 'FR'), InvalidAttributeValueError],
    ['valued query with wrong value', () => t.db.getUsersWithAttribute('LANG', 'XX'), InvalidAttributeValueError],
  ];

  it.each(cases)('%s', async (_label, call, errorClass) => {
    const users = await rowCount('users');
    const guilds = await rowCount('guilds');
    const changes = await rowCount('attribute_changes');
    const error = await call().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toMatch(/^[A-Z_]+$/);
    expect(await rowCount('users')).toBe(users);
    expect(await rowCount('guilds')).toBe(guilds);
    expect(await rowCount('attribute_changes')).toBe(changes);
  });
});
