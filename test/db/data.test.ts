import {
  DataPathConflictError,
  DataValueTooLargeError,
  InvalidDataPathError,
  InvalidDataValueError,
  InvalidIdError,
  ValidationError,
} from '../../src/core/moddy-error';
import type { JsonValue } from '../../src/db/api';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '../helpers/postgres-database';

let t: TestPostgresDatabase;
let nextId = 500000000000000000n;
const freshId = (): string => String((nextId += 1n));

beforeAll(async () => {
  t = await createTestPostgresDatabase({ maxDataValueBytes: 1024 });
});
afterAll(async () => {
  await t.cleanup();
});

describe('updateUserData / updateGuildData', () => {
  it('sets a dotted path, creating the row and missing intermediate objects', async () => {
    const id = freshId();
    await t.db.updateUserData(id, 'preferences.timezone', 'Europe/Paris');
    await t.db.updateUserData(id, 'preferences.dm_reminders', true);
    await t.db.updateUserData(id, 'tags.work', 'Je suis en réunion');
    await t.db.updateUserData(id, 'reminders', [{ id: 'reminder_123', message: 'Faire les courses' }]);
    const user = await t.db.getUser(id);
    expect(user?.data).toEqual({
      preferences: { timezone: 'Europe/Paris', dm_reminders: true },
      tags: { work: 'Je suis en réunion' },
      reminders: [{ id: 'reminder_123', message: 'Faire les courses' }],
    });
    expect(user?.attributes).toEqual({});
  });

  it('replaces a whole subtree and creates deep paths on guilds', async () => {
    const id = freshId();
    await t.db.updateGuildData(id, 'config.features.logging', true);
    await t.db.updateGuildData(id, 'config.prefix', '!');
    await t.db.updateGuildData(id, 'config.features', { welcome_message: true });
    expect((await t.db.getGuild(id))?.data).toEqual({ config: { prefix: '!', features: { welcome_message: true } } });
  });

  it('keeps all of 50 concurrent updates of 50 different paths', async () => {
    const id = freshId();
    await Promise.all(Array.from({ length: 50 }, (_, i) => t.db.updateUserData(id, `tags.tag${i}`, `value ${i}`)));
    const tags = (await t.db.getUser(id))?.data.tags as Record<string, string>;
    expect(Object.keys(tags)).toHaveLength(50);
    for (let i = 0; i < 50; i += 1) expect(tags[`tag${i}`]).toBe(`value ${i}`);
  });

  it('moves updated_at but not created_at', async () => {
    const id = freshId();
    await t.db.updateUserData(id, 'a', 1);
    const first = await t.db.getUser(id);
    await t.db.updateUserData(id, 'b', 2);
    const second = await t.db.getUser(id);
    expect(second?.createdAt).toEqual(first?.createdAt);
    expect(second!.updatedAt.getTime()).toBeGreaterThanOrEqual(first!.updatedAt.getTime());
  });

  const refused: [string, string, unknown, new (...args: never[]) => ValidationError][] = [
    ['an empty path', '', 1, InvalidDataPathError],
    ['an empty segment', 'preferences..timezone', 1, InvalidDataPathError],
    ['a trailing dot', 'preferences.', 1, InvalidDataPathError],
    ['__proto__', '__proto__.polluted', 1, InvalidDataPathError],
    ['constructor', 'a.constructor', 1, InvalidDataPathError],
    ['prototype', 'prototype', 1, InvalidDataPathError],
    ['a path too deep', 'a.b.c.d.e.f.g.h.i', 1, InvalidDataPathError],
    ['a segment with SQL in it', "a'; DROP TABLE users; --", 1, InvalidDataPathError],
    ['a path too long', 'a'.repeat(201), 1, InvalidDataPathError],
    ['an oversized value', 'big', 'x'.repeat(2000), DataValueTooLargeError],
    ['undefined', 'a', undefined, InvalidDataValueError],
    ['a function', 'a', () => 1, InvalidDataValueError],
    ['a BigInt', 'a', 10n, InvalidDataValueError],
    ['NaN', 'a', Number.NaN, InvalidDataValueError],
    ['a Date', 'a', new Date(), InvalidDataValueError],
    ['a nested __proto__ key', 'a', JSON.parse('{"x":{"__proto__":{"admin":true}}}'), InvalidDataValueError],
  ];

  it.each(refused)('refuses %s and changes nothing', async (_label, path, value, errorClass) => {
    const id = freshId();
    await t.db.updateUserData(id, 'keep', 'me');
    const before = await t.db.getUser(id);
    await expect(t.db.updateUserData(id, path, value as JsonValue)).rejects.toBeInstanceOf(errorClass);
    expect(await t.db.getUser(id)).toEqual(before);
  });

  it('refuses a path through a stored non-object with a typed error', async () => {
    const id = freshId();
    await t.db.updateUserData(id, 'preferences', 'not an object');
    const error = await t.db.updateUserData(id, 'preferences.timezone', 'UTC').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataPathConflictError);
    expect((await t.db.getUser(id))?.data).toEqual({ preferences: 'not an object' });
  });

  it('refuses a malformed id before any query', async () => {
    await expect(t.db.updateUserData('not-an-id', 'a', 1)).rejects.toBeInstanceOf(InvalidIdError);
    await expect(t.db.getUser('1e18')).rejects.toBeInstanceOf(InvalidIdError);
  });
});

describe('first interaction and soft delete', () => {
  it('ensureUser creates the row once and writes nothing afterwards', async () => {
    const id = freshId();
    expect(await t.db.ensureUser(id)).toBe(true);
    const first = await t.db.getUser(id);
    expect(await t.db.ensureUser(id)).toBe(false);
    expect(await t.db.getUser(id)).toEqual(first);
  });

  it('ensureUser of an active row takes no lock: it does not wait for a transaction holding the row', async () => {
    const id = freshId();
    await t.db.ensureUser(id);
    await t.db.dataSource.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE', [id]);
      // With the lock held here, a locking ensure would wait until this transaction ends (never: it awaits the ensure).
      expect(await t.db.ensureUser(id)).toBe(false);
    });
  });

  it('beginInteraction reads both attribute sets and the guild record, and ensures the user row when asked', async () => {
    const [user, guild] = [freshId(), freshId()];
    await t.db.updateGuildData(guild, 'config.prefix', '!');
    const readOnly = await t.db.beginInteraction(user, guild, { guildRecord: true });
    expect(readOnly).toMatchObject({ user: {}, guild: {}, guildRecord: { guildId: guild, data: { config: { prefix: '!' } } } });
    expect(readOnly.userRow).toEqual({ created: false, reactivated: false });
    expect(await t.db.getUser(user)).toBeNull();

    expect((await t.db.beginInteraction(user, guild, { ensureUser: true })).userRow).toEqual({ created: true, reactivated: false });
    expect((await t.db.beginInteraction(user, null, { ensureUser: true })).userRow).toEqual({ created: false, reactivated: false });
    await t.db.deactivateUser(user);
    const back = await t.db.beginInteraction(user, freshId(), { ensureUser: true, guildRecord: true });
    expect(back).toEqual({ user: {}, guild: {}, guildRecord: null, userRow: { created: false, reactivated: true } });
    expect((await t.db.getUser(user))?.deactivatedAt).toBeNull();
  });

  it('beginInteraction never creates nor reactivates a blacklisted user', async () => {
    const user = freshId();
    await t.db.setAttribute('user', user, 'BLACKLISTED', true, '100000000000000001', 'test');
    await t.db.deactivateUser(user);
    const start = await t.db.beginInteraction(user, null, { ensureUser: true });
    expect(start).toEqual({ user: { BLACKLISTED: true }, guild: null, userRow: { created: false, reactivated: false } });
    expect((await t.db.getUser(user))?.deactivatedAt).toBeInstanceOf(Date);
  });

  it('marks users and guilds inactive instead of deleting them, and reactivates them', async () => {
    const guildId = freshId();
    expect(await t.db.ensureGuild(guildId)).toBe(true);
    await t.db.updateGuildData(guildId, 'config.prefix', '?');
    expect(await t.db.deactivateGuild(guildId)).toBe(true);
    expect(await t.db.deactivateGuild(guildId)).toBe(false);
    const inactive = await t.db.getGuild(guildId);
    expect(inactive?.deactivatedAt).toBeInstanceOf(Date);
    expect(inactive?.data).toEqual({ config: { prefix: '?' } });

    expect(await t.db.ensureGuild(guildId)).toBe(false);
    const back = await t.db.getGuild(guildId);
    expect(back?.deactivatedAt).toBeNull();
    expect(back?.data).toEqual({ config: { prefix: '?' } });

    const userId = freshId();
    await t.db.ensureUser(userId);
    expect(await t.db.deactivateUser(userId)).toBe(true);
    expect((await t.db.getUser(userId))?.deactivatedAt).toBeInstanceOf(Date);
    expect(await t.db.deactivateUser(freshId())).toBe(false);
  });
});
