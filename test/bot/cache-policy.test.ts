import type { Client } from 'discord.js';
import pino from 'pino';
import { translator } from '../../src/bot/i18n';
import { DiscordSimulator, LARGE_THRESHOLD, seedWorld, type GuildSeed } from '../../src/simulator';
import { eventually } from '../helpers/eventually';
import { loginBotClient, openBotFixture, type BotFixture } from './fixture';

const MANAGE_GUILD = String(1n << 5n);
const en = translator('EN');

/**
 * What the bot keeps of discord.js's caches (src/bot/cache-policy.ts, gateway/guild-payloads.ts):
 * the guilds with their own fields, and nothing of their channels, roles, emojis or members
 * beyond @everyone and the bot itself, while every command and listener still works.
 */
describe('bot cache policy', () => {
  let fixture: BotFixture;
  let simulator: DiscordSimulator;
  let client: Client;
  let big: GuildSeed;
  let small: GuildSeed;

  beforeAll(async () => {
    fixture = await openBotFixture('bot_cache');
    // A realistic world of 20 guilds: a big one has hundreds of channels, roles and emojis, a small one lists its members.
    const world = seedWorld({ seed: 3, guildCount: 20, publicGuildsWithoutBot: 0, userCount: 200, realistic: true });
    big = world.guilds.reduce((a, b) => ((a.channels?.length ?? 0) >= (b.channels?.length ?? 0) ? a : b));
    small = world.guilds.find((guild) => guild.memberCount! <= LARGE_THRESHOLD && guild.memberCount! > 5)!;
    simulator = new DiscordSimulator({ logger: pino({ level: 'silent' }), ...world });
    await simulator.start();
    client = await loginBotClient(fixture, simulator);
  });

  afterAll(async () => {
    await client.destroy();
    await simulator.stop();
    await fixture.cleanup();
  });

  it('the seeded world is what the policy is about: big guilds with hundreds of channels, members listed for small ones', () => {
    expect(big.channels!.length).toBeGreaterThanOrEqual(100);
    expect(big.roles!.length + (big.emojis?.length ?? 0)).toBeGreaterThanOrEqual(100);
    expect(small.members!.length).toBe(small.memberCount);
  });

  it('caches every guild with its own fields, and none of its channels, roles, emojis or members but @everyone and the bot', () => {
    expect(client.guilds.cache.size).toBe(20);
    const guild = client.guilds.cache.get(big.id)!;
    expect(guild).toMatchObject({ name: big.name, memberCount: big.memberCount, ownerId: big.ownerId });
    expect(guild.channels.cache.size).toBe(0);
    expect([...guild.roles.cache.keys()]).toEqual([big.id]);
    expect(guild.emojis.cache.size).toBe(0);
    expect([...client.guilds.cache.get(small.id)!.members.cache.keys()]).toEqual([client.user!.id]);
    expect([...client.users.cache.keys()]).toEqual([client.user!.id]);
    expect(client.channels.cache.size).toBe(0);
  });

  it("marks as large the guilds over discord.js's large_threshold (50) that IDENTIFY sends, as Discord does", () => {
    const guilds = [...client.guilds.cache.values()];
    // The guilds between 50 and 250 members are the ones a fixed threshold of 250 got wrong.
    expect(guilds.some((guild) => guild.memberCount > LARGE_THRESHOLD && guild.memberCount <= 250)).toBe(true);
    expect(guilds.some((guild) => guild.memberCount <= LARGE_THRESHOLD)).toBe(true);
    for (const guild of guilds)
      expect({ id: guild.id, large: guild.large }).toEqual({ id: guild.id, large: guild.memberCount > LARGE_THRESHOLD });
  });

  it('answers a command and caches neither the member nor the user of the interaction', async () => {
    const reply = await simulator
      .sendInteraction({
        user: small.members![1]!.userId,
        guildId: small.id,
        command: 'config',
        subcommand: 'show',
        permissions: MANAGE_GUILD,
      })
      .response();
    expect(reply.message?.content).toBe(en('config.show', { prefix: en('config.prefix.unset') }));
    expect(client.guilds.cache.get(small.id)!.members.cache.size).toBe(1);
    expect(client.users.cache.size).toBe(1);
  });

  it('a GUILD_UPDATE (which carries every role and emoji) refreshes the guild and its guilds_cache row without filling the caches', async () => {
    simulator.updateGuild(big.id, { name: 'Renamed Big Guild' });
    await eventually(async () => (await fixture.db.getCachedGuild(big.id))?.name === 'Renamed Big Guild');
    const guild = client.guilds.cache.get(big.id)!;
    expect(guild.name).toBe('Renamed Big Guild');
    expect([...guild.roles.cache.keys()]).toEqual([big.id]);
    expect(guild.emojis.cache.size).toBe(0);
  });
});
