import { Events, type Client } from 'discord.js';
import pino from 'pino';
import { createBotClient } from '../../src/bot/client';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';
import { eventually } from '../helpers/eventually';
import { openBotFixture, recordingCalls, type BotFixture } from './fixture';
import { RecordingTracker } from './recording-tracker';

const SEEDED = '1400000000000000001';
const JOINED = '1400000000000000002';
const silent = pino({ level: 'silent' });

describe('guild events', () => {
  let fixture: BotFixture;
  let simulator: DiscordSimulator;
  let client: Client;
  let deactivations: { method: string; args: unknown[] }[];
  const tracker = new RecordingTracker();

  beforeAll(async () => {
    fixture = await openBotFixture('bot_events');
    simulator = new DiscordSimulator({ logger: silent, guilds: [{ id: SEEDED, name: 'Seeded', memberCount: 10 }] });
    await simulator.start();
    const recorded = recordingCalls(fixture.db, ['deactivateGuild']);
    deactivations = recorded.calls;
    client = createBotClient({
      apiUrl: simulator.apiUrl,
      db: recorded.db,
      tracker,
      logger: silent,
      redis: fixture.redis,
      cachePrefix: fixture.prefix,
      ownerIds: [],
    });
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(DEV_TOKEN);
    await ready;
  });

  afterAll(async () => {
    await client.destroy();
    await simulator.stop();
    await fixture.cleanup();
  });

  it('gives the guilds the bot was already in a row and a bot_join cache entry at startup', async () => {
    const row = await eventually(() => fixture.db.getGuild(SEEDED));
    expect(row.deactivatedAt).toBeNull();
    expect(await eventually(() => fixture.db.getCachedGuild(SEEDED))).toMatchObject({
      name: 'Seeded',
      updateSource: 'bot_join',
      memberCount: 10,
    });
  });

  it('guildCreate: creates the row and a bot_join guilds_cache entry', async () => {
    simulator.addGuild({ id: JOINED, name: 'Joined', memberCount: 42, features: ['COMMUNITY'] });
    const cached = await eventually(() => fixture.db.getCachedGuild(JOINED));
    expect(cached).toMatchObject({ name: 'Joined', updateSource: 'bot_join', memberCount: 42, features: ['COMMUNITY'] });
    expect((await fixture.db.getGuild(JOINED))?.deactivatedAt).toBeNull();
  });

  it('guildUpdate: refreshes the cache entry', async () => {
    simulator.updateGuild(JOINED, { name: 'Joined Renamed' });
    await eventually(async () => (await fixture.db.getCachedGuild(JOINED))?.name === 'Joined Renamed');
  });

  it('stores a guild whose name, features and description hold NUL or lone surrogates, with U+FFFD in their place', async () => {
    const odd = '1400000000000000003';
    simulator.addGuild({
      id: odd,
      name: 'Odd\u0000Name \uD83D',
      features: ['COMMUNITY', 'X\u0000'],
      icon: 'a\u0000',
      description: '\uDE00d\u0000',
    });
    const cached = await eventually(() => fixture.db.getCachedGuild(odd));
    expect(cached).toMatchObject({ name: 'Odd\uFFFDName \uFFFD', features: ['COMMUNITY', 'X\uFFFD'] });
    expect(cached.rawData.description).toBe('\uFFFDd\uFFFD');
    simulator.updateGuild(odd, { name: '\uDFFFRenamed\u0000' });
    await eventually(async () => (await fixture.db.getCachedGuild(odd))?.name === '\uFFFDRenamed\uFFFD');
    expect(tracker.captured).toEqual([]);
  });

  it('a guild going unavailable in an outage is not a leave', async () => {
    const guild = client.guilds.cache.get(JOINED);
    expect(guild).toBeDefined();
    if (!guild) return;
    guild.available = false;
    // Listeners run synchronously up to their first await: a deactivation would be recorded by now.
    client.emit(Events.GuildDelete, guild);
    guild.available = true;
    expect(deactivations).toEqual([]);
    expect((await fixture.db.getGuild(JOINED))?.deactivatedAt).toBeNull();
  });

  it('guildDelete: marks the guild inactive (never deleted), and a re-join reactivates it', async () => {
    simulator.removeGuild(JOINED);
    const left = await eventually(async () => {
      const row = await fixture.db.getGuild(JOINED);
      return row?.deactivatedAt ? row : null;
    });
    expect(left.guildId).toBe(JOINED);
    expect(deactivations.map((call) => call.args)).toEqual([[JOINED]]);

    simulator.addGuild({ id: JOINED, name: 'Joined Again' });
    await eventually(async () => (await fixture.db.getGuild(JOINED))?.deactivatedAt === null);
    expect(tracker.captured).toEqual([]);
  });
});
