import { Events, MessageFlags, type Client } from 'discord.js';
import pino from 'pino';
import { createBotClient } from '../../src/bot/client';
import { CATALOGUES, translator } from '../../src/bot/i18n';
import { DEV_TOKEN, DiscordSimulator, type SendInteractionOptions } from '../../src/simulator';
import { eventually } from '../helpers/eventually';
import { openBotFixture, type BotFixture } from './fixture';
import { RecordingTracker } from './recording-tracker';

const GUILD = '1600000000000000001';
const OWNER = '1610000000000000001';
const ADMIN = '1610000000000000002';
const MEMBER = '1610000000000000003';
const GUILD_OWNER = '1610000000000000009';
const MANAGE_GUILD = String(1 << 5);
const { EN, FR } = CATALOGUES;
const en = translator('EN');
const fr = translator('FR');

describe('interaction dispatcher', () => {
  let fixture: BotFixture;
  let simulator: DiscordSimulator;
  let client: Client;
  const tracker = new RecordingTracker();
  const logLines: { level: number; msg: string; userId?: string; command?: string }[] = [];

  beforeAll(async () => {
    fixture = await openBotFixture('bot_dispatch');
    simulator = new DiscordSimulator({
      logger: pino({ level: 'silent' }),
      users: [
        { id: GUILD_OWNER, username: 'guild_owner' },
        { id: OWNER, username: 'bot_owner' },
        { id: ADMIN, username: 'admin' },
        { id: MEMBER, username: 'member' },
      ],
      guilds: [{ id: GUILD, name: 'Dispatch Guild', ownerId: GUILD_OWNER, members: [{ userId: GUILD_OWNER }] }],
    });
    await simulator.start();
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]) });
    client = createBotClient({
      apiUrl: simulator.apiUrl,
      db: fixture.db,
      tracker,
      logger,
      redis: fixture.redis,
      cachePrefix: fixture.prefix,
      ownerIds: [OWNER],
    });
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(DEV_TOKEN);
    await ready;
    // The ready listener creates the guild's row after ClientReady, in its own time: tests that say
    // "writes nothing" compare against that row.
    await eventually(() => fixture.db.getGuild(GUILD));
  });

  afterAll(async () => {
    await client.destroy();
    await simulator.stop();
    await fixture.cleanup();
  });

  const send = async (options: Partial<SendInteractionOptions> & Pick<SendInteractionOptions, 'user' | 'command'>) => {
    const reply = await simulator.sendInteraction({ guildId: GUILD, ...options }).response();
    return {
      content: reply.message?.content ?? '',
      ephemeral: ((reply.message?.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
      deferred: reply.deferred,
    };
  };

  it('refuses /config to a member without Manage Server, in their language, and writes nothing', async () => {
    const reply = await send({ user: MEMBER, command: 'config', subcommand: 'prefix', options: { value: '?' }, locale: 'fr' });
    expect(reply).toMatchObject({ content: FR['refusal.manageGuild'], ephemeral: true });
    expect((await fixture.db.getGuild(GUILD))?.data).toEqual({});
  });

  it('refuses /config outside a server', async () => {
    const reply = await send({ user: ADMIN, guildId: undefined, command: 'config', subcommand: 'show' });
    expect(reply).toMatchObject({ content: EN['refusal.guildOnly'], ephemeral: true });
  });

  it('turns a bad prefix into a localised answer, not a tracked error', async () => {
    const reply = await send({
      user: ADMIN,
      permissions: MANAGE_GUILD,
      command: 'config',
      subcommand: 'prefix',
      options: { value: 'toolong' },
    });
    expect(reply).toMatchObject({ content: en('error.INVALID_PREFIX', { max: 5 }), ephemeral: true });
    expect(tracker.captured).toEqual([]);
  });

  it('lets Manage Server members set and show the prefix', async () => {
    expect(
      (await send({ user: ADMIN, permissions: MANAGE_GUILD, command: 'config', subcommand: 'prefix', options: { value: '$$' } })).content,
    ).toBe(en('config.prefix.set', { prefix: '$$' }));
    expect((await fixture.db.getGuild(GUILD))?.data).toEqual({ config: { prefix: '$$' } });
    expect((await send({ user: ADMIN, permissions: MANAGE_GUILD, command: 'config', subcommand: 'show' })).content).toContain('`$$`');
  });

  it('refuses /dev to non-developers and logs the attempt', async () => {
    const reply = await send({ user: MEMBER, command: 'dev', subcommand: 'stats' });
    expect(reply).toMatchObject({ content: EN['refusal.developer'], ephemeral: true });
    expect(logLines).toContainEqual(expect.objectContaining({ level: 40, userId: MEMBER, command: 'dev stats' }));
  });

  it('lets an owner change attributes, recording who and why', async () => {
    const reply = await send({
      user: OWNER,
      command: 'dev',
      subcommandGroup: 'attribute',
      subcommand: 'set',
      options: { target: 'user', id: ADMIN, name: 'DEVELOPER', reason: 'joins the team' },
    });
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain('DEVELOPER');
    const [change] = await fixture.db.getAttributeHistory('user', ADMIN);
    expect(change).toMatchObject({ attributeName: 'DEVELOPER', changedBy: OWNER, reason: 'joins the team', newValue: true });

    // The new developer may use /dev at once (the cache tier invalidated their attributes).
    expect((await send({ user: ADMIN, command: 'dev', subcommand: 'stats' })).content).toMatch(/^Users: \d+/);
  });

  it('localises a malformed error code and an invalid ID', async () => {
    expect((await send({ user: OWNER, command: 'dev', subcommand: 'error', options: { code: 'nope' } })).content).toBe(
      en('error.INVALID_ERROR_CODE', { value: 'nope' }),
    );
    const reply = await send({ user: OWNER, command: 'user', subcommand: 'lookup', options: { id: 'abc' }, locale: 'fr' });
    expect(reply.content).toBe(fr('error.INVALID_ID', { value: 'abc' }));
  });

  it("keeps every answer within Discord's 2000 characters: a huge echoed value, a long stored error", async () => {
    const captures = tracker.captured.length;
    const huge = '1'.repeat(6000);
    const invalid = await send({ user: OWNER, command: 'user', subcommand: 'lookup', options: { id: huge } });
    expect(invalid.content).toBe(en('error.INVALID_ID', { value: `${'1'.repeat(99)}…` }));

    await fixture.db.recordError({
      errorCode: 'ABC00001',
      errorType: 'T'.repeat(200),
      message: 'm'.repeat(5000),
      fileSource: 'f'.repeat(1024),
      lineNumber: 1,
      traceback: null,
      userId: null,
      guildId: null,
      command: 'c'.repeat(100),
      context: {},
    });
    const found = await send({ user: OWNER, command: 'dev', subcommand: 'error', options: { code: 'ABC00001' } });
    expect(found.content.length).toBeLessThanOrEqual(2000);
    expect(found.content).toMatch(/^Error `ABC00001`\nType: T{200}\nMessage: m+/);
    expect(tracker.captured).toHaveLength(captures);
  });

  it('sends an unexpected failure to the tracker and gives the user its code', async () => {
    const restore = simulator.failRequests({ method: 'GET', path: `/users/${MEMBER}`, status: 500 });
    try {
      const reply = await send({ user: ADMIN, command: 'user', subcommand: 'lookup', options: { id: MEMBER } });
      const captured = tracker.captured.at(-1);
      expect(captured?.context).toMatchObject({
        userId: ADMIN,
        guildId: GUILD,
        command: 'user lookup',
        context: { options: { id: MEMBER } },
      });
      // The command deferred before asking Discord: the error code edits that (public) reply.
      expect(reply).toEqual({ content: en('error.unexpected', { code: captured?.code ?? '?' }), ephemeral: false, deferred: true });
    } finally {
      restore();
    }
  });

  it('refuses a blacklisted user before the command runs', async () => {
    await send({ user: OWNER, command: 'dev', subcommand: 'blacklist', options: { user: MEMBER, reason: 'spam' } });
    const reply = await send({ user: MEMBER, command: 'guild', subcommand: 'lookup', options: { id: GUILD }, locale: 'fr' });
    expect(reply).toMatchObject({ content: FR['refusal.blacklisted'], ephemeral: true });
    await send({ user: OWNER, command: 'dev', subcommand: 'blacklist', options: { user: MEMBER, reason: 'appeal', remove: true } });
    expect((await send({ user: MEMBER, command: 'guild', subcommand: 'lookup', options: { id: GUILD } })).content).toContain(
      'Dispatch Guild',
    );
  });
});
