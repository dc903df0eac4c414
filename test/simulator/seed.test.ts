import { LARGE_THRESHOLD, seedWorld, shardForGuild } from '../../src/simulator';
import { snowflakeTimestamp } from '../../src/simulator/snowflake';

describe('seedWorld', () => {
  const world = seedWorld({ seed: 7, guildCount: 40, publicGuildsWithoutBot: 4, userCount: 50 });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(seedWorld({ seed: 7, guildCount: 40, publicGuildsWithoutBot: 4, userCount: 50 })).toEqual(world);
    expect(seedWorld({ seed: 8, guildCount: 40 }).guilds[0]!.id).not.toBe(world.guilds[0]!.id);
  });

  it('makes unique, valid snowflakes with realistic creation dates', () => {
    const ids = [
      ...world.guilds.map((guild) => guild.id),
      ...world.users.map((user) => user.id),
      ...world.guilds.flatMap((guild) => guild.channels!.map((channel) => channel.id)),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[1-9][0-9]{16,19}$/);
    for (const guild of world.guilds) {
      const year = new Date(snowflakeTimestamp(guild.id)).getUTCFullYear();
      expect(year).toBeGreaterThanOrEqual(2016);
      expect(year).toBeLessThanOrEqual(2024);
    }
  });

  it('spreads guilds over shards and mixes community, discoverable and private guilds', () => {
    const joined = world.guilds.filter((guild) => guild.botInGuild !== false);
    expect(joined).toHaveLength(40);
    expect(new Set(joined.map((guild) => shardForGuild(guild.id, 4))).size).toBe(4);
    const notJoined = world.guilds.filter((guild) => guild.botInGuild === false);
    expect(notJoined).toHaveLength(4);
    expect(notJoined.every((guild) => guild.discoverable && guild.features!.includes('DISCOVERABLE'))).toBe(true);
    expect(joined.some((guild) => guild.features!.includes('COMMUNITY'))).toBe(true);
    expect(joined.some((guild) => !guild.discoverable)).toBe(true);
    const sizes = joined.map((guild) => guild.memberCount!);
    expect(Math.min(...sizes)).toBeLessThan(100);
    expect(Math.max(...sizes)).toBeGreaterThan(10_000);
  });

  it('gives every guild an owner among its members and users that exist', () => {
    const userIds = new Set(world.users.map((user) => user.id));
    for (const guild of world.guilds) {
      expect(guild.members!.map((member) => member.userId)).toContain(guild.ownerId);
      for (const member of guild.members!) expect(userIds.has(member.userId)).toBe(true);
    }
  });

  describe('realistic', () => {
    const realistic = seedWorld({ seed: 7, guildCount: 60, publicGuildsWithoutBot: 0, userCount: 300, realistic: true });

    it('keeps every ID unique: guilds, users, channels, roles and emojis', () => {
      const ids = [
        ...realistic.guilds.map((guild) => guild.id),
        ...realistic.users.map((user) => user.id),
        ...realistic.guilds.flatMap((guild) => [
          ...guild.channels!.map((channel) => channel.id),
          ...guild.roles!.map((role) => role.id),
          ...guild.emojis!.map((emoji) => emoji.id),
        ]),
      ];
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[1-9][0-9]{16,19}$/);
    });

    it('sizes guilds by their members: hundreds of channels in the biggest, every member listed up to the large threshold', () => {
      const biggest = realistic.guilds.reduce((a, b) => (a.memberCount! >= b.memberCount! ? a : b));
      expect(biggest.memberCount).toBeGreaterThan(50_000);
      expect(biggest.channels!.length).toBeGreaterThanOrEqual(100);
      expect(biggest.roles!.length).toBeGreaterThanOrEqual(50);
      expect(biggest.emojis!.length).toBeGreaterThanOrEqual(100);
      const small = realistic.guilds.filter((guild) => guild.memberCount! <= LARGE_THRESHOLD);
      expect(small.length).toBeGreaterThan(0);
      for (const guild of small) expect(guild.members).toHaveLength(guild.memberCount!);
      for (const guild of realistic.guilds.filter((candidate) => candidate.memberCount! > LARGE_THRESHOLD)) {
        expect(guild.members!.length).toBeLessThan(10);
      }
    });

    it('leaves the default world as it was: the realistic extras only when asked', () => {
      expect(world.guilds.every((guild) => guild.emojis!.length === 0 && guild.channels!.length <= 6)).toBe(true);
    });
  });
});
