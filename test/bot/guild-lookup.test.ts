import { REST } from '@discordjs/rest';
import { Client } from 'pg';
import pino from 'pino';
import { lookupGuild } from '../../src/bot/lookups/guild-lookup';
import { InvalidIdError } from '../../src/core/moddy-error';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';
import { openBotFixture, type BotFixture } from './fixture';

const MEMBER_GUILD = '1200000000000000001';
const PUBLIC_GUILD = '1200000000000000002';
const PRIVATE_GUILD = '1200000000000000003';
const LEFT_GUILD = '1200000000000000004';
const CACHED_GUILD = '1200000000000000005';
const UNKNOWN_GUILD = '1200000000000000099';

describe('guild lookup flow', () => {
  let fixture: BotFixture;
  let simulator: DiscordSimulator;
  let rest: REST;

  beforeAll(async () => {
    fixture = await openBotFixture('bot_guild_lookup');
    simulator = new DiscordSimulator({
      logger: pino({ level: 'silent' }),
      guilds: [
        { id: MEMBER_GUILD, name: 'Member Guild', memberCount: 1234, features: ['COMMUNITY'] },
        { id: PUBLIC_GUILD, name: 'Public Guild', memberCount: 50_000, features: ['DISCOVERABLE'], discoverable: true, botInGuild: false },
        { id: PRIVATE_GUILD, name: 'Private Guild', botInGuild: false },
        { id: LEFT_GUILD, name: 'Left Guild', discoverable: true, botInGuild: false },
      ],
    });
    await simulator.start();
    rest = new REST({ api: simulator.apiUrl, retries: 0 }).setToken(DEV_TOKEN);
  });

  afterAll(async () => {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
    await simulator.stop();
    await fixture.cleanup();
  });

  const deps = () => ({ db: fixture.db, rest });
  const requestsFor = (guildId: string) => simulator.requests().filter((request) => request.path.includes(guildId));

  it('answers from a guilds_cache row younger than 7 days without asking Discord', async () => {
    await fixture.db.upsertCachedGuild({ guildId: CACHED_GUILD, name: 'Cached', updateSource: 'manual', memberCount: 7 });
    const result = await lookupGuild(CACHED_GUILD, deps());
    expect(result).toMatchObject({ found: true, source: 'cache', guild: { name: 'Cached', updateSource: 'manual', memberCount: 7 } });
    expect(requestsFor(CACHED_GUILD)).toEqual([]);
  });

  it('asks for the guild itself (with counts) when the bot is in it and the cache is stale, then stores it', async () => {
    await fixture.db.ensureGuild(MEMBER_GUILD);
    await fixture.db.upsertCachedGuild({ guildId: MEMBER_GUILD, name: 'Old Name', updateSource: 'bot_join' });
    await ageCacheRow(fixture.database.url, MEMBER_GUILD, 8);

    const result = await lookupGuild(MEMBER_GUILD, deps());
    expect(result).toMatchObject({
      found: true,
      source: 'bot',
      guild: { name: 'Member Guild', memberCount: 1234, features: ['COMMUNITY'] },
    });
    expect(requestsFor(MEMBER_GUILD).map((request) => [request.path, request.query.with_counts])).toEqual([
      [`/guilds/${MEMBER_GUILD}`, 'true'],
    ]);

    const again = await lookupGuild(MEMBER_GUILD, deps());
    expect(again).toMatchObject({ found: true, source: 'cache', guild: { name: 'Member Guild', updateSource: 'api_call' } });
    expect(requestsFor(MEMBER_GUILD)).toHaveLength(1);
  });

  it('uses the public preview for a guild the bot is not in, and stores it', async () => {
    const result = await lookupGuild(PUBLIC_GUILD, deps());
    expect(result).toMatchObject({ found: true, source: 'preview', guild: { name: 'Public Guild', memberCount: 50_000 } });
    expect(requestsFor(PUBLIC_GUILD).map((request) => request.path)).toEqual([`/guilds/${PUBLIC_GUILD}/preview`]);
    expect(await fixture.db.getCachedGuild(PUBLIC_GUILD)).toMatchObject({ name: 'Public Guild', updateSource: 'api_call' });
  });

  it('falls back to the preview when the guild row is stale and Discord refuses the guild itself', async () => {
    await fixture.db.ensureGuild(LEFT_GUILD);
    const result = await lookupGuild(LEFT_GUILD, deps());
    expect(result).toMatchObject({ found: true, source: 'preview', guild: { name: 'Left Guild' } });
    expect(requestsFor(LEFT_GUILD).map((request) => request.status)).toEqual([403, 200]);
  });

  it('answers "not found" for a private guild or an unknown ID, and stores nothing', async () => {
    expect(await lookupGuild(PRIVATE_GUILD, deps())).toEqual({ found: false });
    expect(await lookupGuild(UNKNOWN_GUILD, deps())).toEqual({ found: false });
    expect(await fixture.db.getCachedGuild(PRIVATE_GUILD)).toBeNull();
    expect(await fixture.db.getCachedGuild(UNKNOWN_GUILD)).toBeNull();
  });

  it('refuses an ID that is not a snowflake before any call', async () => {
    await expect(lookupGuild('12ab', deps())).rejects.toBeInstanceOf(InvalidIdError);
  });
});

async function ageCacheRow(url: string, guildId: string, days: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`UPDATE guilds_cache SET last_updated = now() - make_interval(days => $2) WHERE guild_id = $1`, [guildId, days]);
  } finally {
    await client.end();
  }
}
