import { KnownUsers } from '../../src/bot/known-users';
import { openInteraction } from '../../src/bot/middleware';
import { openBotFixture, recordingCalls, type BotFixture } from './fixture';

const DEV = '100000000000000001';
const GUILD = '200000000000000001';

describe('interaction middleware', () => {
  let fixture: BotFixture;

  beforeAll(async () => {
    fixture = await openBotFixture('bot_mw');
  });

  afterAll(async () => {
    await fixture.cleanup();
  });

  it("creates the user's row on the first interaction only, once per process", async () => {
    const user = '300000000000000001';
    const { db, calls } = recordingCalls(fixture.db, ['beginInteraction', 'ensureUser']);
    const known = new KnownUsers();
    const before = Date.now();
    // Absent before: a record read after the interaction returns must see the row.
    expect(await fixture.db.getUser(user)).toBeNull();

    const first = await openInteraction(db, known, { userId: user, guildId: GUILD, locale: 'en-US' });
    expect(first.blacklisted).toBe(false);
    const row = await fixture.db.getUser(user);
    expect(row?.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);

    await openInteraction(db, known, { userId: user, guildId: GUILD, locale: 'en-US' });
    await openInteraction(db, known, { userId: user, guildId: null, locale: 'en-US' });
    const ensureAsked = calls.map((call) => (call.args[2] as { ensureUser?: boolean } | undefined)?.ensureUser);
    expect(ensureAsked).toEqual([true, false, false]);
    expect((await fixture.db.getUser(user))?.updatedAt).toEqual(row?.updatedAt);
  });

  it("ensures a known user's row even when every entry is cached, and reactivates it", async () => {
    const user = '300000000000000006';
    await fixture.db.ensureUser(user);
    await openInteraction(fixture.db, new KnownUsers(), { userId: user, guildId: GUILD, locale: 'en-US' });
    expect(await fixture.db.deactivateUser(user)).toBe(true);
    // A process that has not seen the user yet, with their attributes still cached.
    await openInteraction(fixture.db, new KnownUsers(), { userId: user, guildId: GUILD, locale: 'en-US' });
    expect((await fixture.db.getUser(user))?.deactivatedAt).toBeNull();
  });

  it("reads the guild's record in the same call when asked, cold and cached alike", async () => {
    const guild = '200000000000000003';
    await fixture.db.updateGuildData(guild, 'config.prefix', '?');
    for (const known of [new KnownUsers(), new KnownUsers()]) {
      const gate = await openInteraction(fixture.db, known, {
        userId: '300000000000000007',
        guildId: guild,
        locale: 'en-US',
        guildRecord: true,
      });
      expect(gate.guildRecord?.data).toEqual({ config: { prefix: '?' } });
    }
    const unknownGuild = await openInteraction(fixture.db, new KnownUsers(), {
      userId: '300000000000000007',
      guildId: '200000000000000004',
      locale: 'en-US',
      guildRecord: true,
    });
    expect(unknownGuild.guildRecord).toBeNull();
    const dm = await openInteraction(fixture.db, new KnownUsers(), {
      userId: '300000000000000007',
      guildId: null,
      locale: 'en-US',
      guildRecord: true,
    });
    expect(dm.guildRecord).toBeUndefined();
  });

  it('forgets the oldest users past its bound', () => {
    const known = new KnownUsers(2);
    known.add('1');
    known.add('2');
    known.add('3');
    expect([known.has('1'), known.has('2'), known.has('3'), known.size]).toEqual([false, true, true, 2]);
  });

  it('stops a blacklisted user before anything is written', async () => {
    const user = '300000000000000002';
    await fixture.db.setAttribute('user', user, 'BLACKLISTED', true, DEV, 'test: spam');
    await fixture.db.deactivateUser(user);
    const known = new KnownUsers();
    // Cold (one SQL statement) then cached (attributes from the cache tier): neither reactivates the row.
    for (let i = 0; i < 2; i += 1) {
      const gate = await openInteraction(fixture.db, known, { userId: user, guildId: GUILD, locale: 'fr' });
      expect(gate.blacklisted).toBe(true);
      expect(gate.language).toBe('FR');
    }
    expect((await fixture.db.getUser(user))?.deactivatedAt).toBeInstanceOf(Date);
    expect(known.has(user)).toBe(false);
  });

  it("answers in the user's language, else the guild's, else the locale's", async () => {
    const guild = '200000000000000002';
    const french = '300000000000000003';
    const plain = '300000000000000004';
    await fixture.db.setAttribute('user', french, 'LANG', 'FR', DEV, 'test');
    const known = new KnownUsers();

    expect((await openInteraction(fixture.db, known, { userId: french, guildId: guild, locale: 'en-US' })).language).toBe('FR');
    expect((await openInteraction(fixture.db, known, { userId: plain, guildId: guild, locale: 'en-US' })).language).toBe('EN');

    await fixture.db.setAttribute('guild', guild, 'LANG', 'FR', DEV, 'test');
    expect((await openInteraction(fixture.db, known, { userId: plain, guildId: guild, locale: 'en-US' })).language).toBe('FR');

    await fixture.db.setAttribute('user', plain, 'LANG', 'EN', DEV, 'test');
    expect((await openInteraction(fixture.db, known, { userId: plain, guildId: guild, locale: 'fr' })).language).toBe('EN');
    expect((await openInteraction(fixture.db, known, { userId: '300000000000000005', guildId: null, locale: 'fr' })).language).toBe('FR');
  });
});
