import { Client, DiscordAPIError, Events, GatewayIntentBits, type ChatInputCommandInteraction, type Guild, Routes } from 'discord.js';
import pino from 'pino';
import { DiscordSimulator, seedWorld, shardForGuild } from '../../src/simulator';

/** The real discord.js 14 client, two shards, against the simulator. */
const world = seedWorld({ seed: 42, guildCount: 12, publicGuildsWithoutBot: 2, userCount: 20 });
const joined = world.guilds.filter((guild) => guild.botInGuild !== false);
const notJoinedPublic = world.guilds.find((guild) => guild.botInGuild === false && guild.discoverable)!;
const user = world.users[0]!;
const MANAGE_GUILD = String(1 << 5);

let simulator: DiscordSimulator;
let client: Client;
const seen: ChatInputCommandInteraction[] = [];

async function handle(interaction: ChatInputCommandInteraction): Promise<void> {
  seen.push(interaction);
  switch (interaction.commandName) {
    case 'ping':
      await interaction.reply({
        content: `pong ${interaction.options.getString('text') ?? ''}`.trim(),
        embeds: [{ title: 'Latency', description: 'fine' }],
      });
      return;
    case 'slow':
      await interaction.deferReply({ flags: 64 });
      await interaction.editReply({ content: 'done after a while' });
      return;
    case 'config':
      await interaction.reply({
        content: `${interaction.options.getSubcommandGroup()}/${interaction.options.getSubcommand()}=${interaction.options.getInteger('value')}`,
      });
      await interaction.followUp({ content: 'saved' });
      return;
    default:
      await interaction.reply({ content: 'unknown command' });
  }
}

function waitForEvent<T>(register: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve) => register(resolve));
}

beforeAll(async () => {
  simulator = new DiscordSimulator({
    guilds: world.guilds,
    users: world.users,
    heartbeatIntervalMs: 1000,
    logger: pino({ level: 'silent' }),
  });
  await simulator.start();
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: simulator.apiUrl }, shards: [0, 1], shardCount: 2 });
  client.on(Events.InteractionCreate, (interaction) => {
    if (interaction.isChatInputCommand()) void handle(interaction);
  });
  const ready = waitForEvent<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(simulator.options.token);
  await ready;
});

afterAll(async () => {
  await client?.destroy();
  await simulator?.stop();
});

describe('discord.js client against the simulator', () => {
  it('connects both shards and gives each exactly the guilds routed to it', () => {
    expect(simulator.connectedShards()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect([...client.guilds.cache.keys()].sort()).toEqual(joined.map((guild) => guild.id).sort());
    for (const guild of client.guilds.cache.values()) expect(guild.shardId).toBe(shardForGuild(guild.id, 2));
    for (const session of simulator.sessions()) {
      const ready = session.history.find((event) => event.t === 'READY')!.d as { guilds: { id: string }[] };
      const routed = joined.filter((guild) => shardForGuild(guild.id, 2) === session.shardId).map((guild) => guild.id);
      expect(ready.guilds.map((guild) => guild.id).sort()).toEqual(routed.sort());
    }
    // Both shards actually got some guilds: the seed spreads them.
    expect(new Set(client.guilds.cache.map((guild) => guild.shardId)).size).toBe(2);
  });

  it('delivers an interaction and returns the reply through response()', async () => {
    const guild = joined[3]!;
    const handle = simulator.sendInteraction({
      user: user.id,
      guildId: guild.id,
      command: 'ping',
      options: { text: 'hello' },
      permissions: MANAGE_GUILD,
      locale: 'fr',
    });
    const reply = await handle.response();
    expect(reply.type).toBe(4);
    expect(reply.message?.content).toBe('pong hello');
    expect(reply.message?.embeds[0]?.title).toBe('Latency');
    const received = seen.find((interaction) => interaction.id === handle.id)!;
    expect(received.guildId).toBe(guild.id);
    expect(received.user.id).toBe(user.id);
    expect(received.locale).toBe('fr');
    expect(received.memberPermissions?.has('ManageGuild')).toBe(true);
    expect(received.memberPermissions?.has('BanMembers')).toBe(false);
    expect(client.guilds.cache.get(guild.id)!.shardId).toBe(shardForGuild(guild.id, 2));
    // A non-ephemeral reply is visible in the channel.
    expect(simulator.messages(received.channelId).map((message) => message.id)).toContain(reply.message!.id);
  });

  it('settles a deferred reply on editReply', async () => {
    const handle = simulator.sendInteraction({ user: user.id, guildId: joined[0]!.id, command: 'slow' });
    const reply = await handle.response();
    expect(reply.deferred).toBe(true);
    expect(reply.ephemeral).toBe(true);
    expect(reply.message?.content).toBe('done after a while');
    expect(handle.callbacks().map((callback) => callback.type)).toEqual([5]);
  });

  it('nests subcommand groups and records follow-ups; DMs go to shard 0', async () => {
    const handle = simulator.sendInteraction({
      user: user.id,
      command: 'config',
      subcommandGroup: 'limits',
      subcommand: 'set',
      options: { value: 7 },
    });
    const reply = await handle.response();
    expect(reply.message?.content).toBe('limits/set=7');
    const [followUp] = await handle.waitForFollowUps(1);
    expect(followUp?.content).toBe('saved');
    const received = seen.find((interaction) => interaction.id === handle.id)!;
    expect(received.guildId).toBeNull();
    expect(received.inGuild()).toBe(false);
    const carriedBy = simulator
      .sessions()
      .filter((session) =>
        session.history.some((event) => event.t === 'INTERACTION_CREATE' && (event.d as { id: string }).id === handle.id),
      );
    expect(carriedBy.map((session) => session.shardId)).toEqual([0]);
  });

  it('emits guildCreate, guildUpdate and guildDelete when the bot joins, the guild changes, the bot leaves', async () => {
    const id = '1250000000000000000';
    const created = waitForEvent<Guild>((resolve) => client.once(Events.GuildCreate, resolve));
    simulator.addGuild({ id, name: 'Fresh Guild', memberCount: 42 });
    const guild = await created;
    expect(guild.id).toBe(id);
    expect(guild.memberCount).toBe(42);
    expect(guild.shardId).toBe(shardForGuild(id, 2));

    const updated = waitForEvent<Guild>((resolve) => client.once(Events.GuildUpdate, (_old, next) => resolve(next)));
    simulator.updateGuild(id, { name: 'Renamed Guild' });
    expect((await updated).name).toBe('Renamed Guild');

    const deleted = waitForEvent<Guild>((resolve) => client.once(Events.GuildDelete, resolve));
    simulator.removeGuild(id);
    expect((await deleted).id).toBe(id);
    expect(client.guilds.cache.has(id)).toBe(false);
  });

  it('serves guild fetches, previews, users and channel messages over REST', async () => {
    const guild = await client.guilds.fetch({ guild: joined[1]!.id, force: true, withCounts: true });
    expect(guild.approximateMemberCount).toBe(joined[1]!.memberCount);

    const preview = await client.fetchGuildPreview(notJoinedPublic.id);
    expect(preview.name).toBe(notJoinedPublic.name);
    const privateGuild = joined.find((candidate) => !candidate.discoverable)!;
    simulator.removeGuild(privateGuild.id);
    await expect(client.fetchGuildPreview(privateGuild.id)).rejects.toMatchObject({ code: 10004 });
    await expect(client.users.fetch('1100000000000000999')).rejects.toBeInstanceOf(DiscordAPIError);
    expect((await client.users.fetch(user.id, { force: true })).username).toBe(user.username);

    const channelId = joined[2]!.channels!.find((channel) => channel.name === 'mod-log')!.id;
    await client.rest.post(Routes.channelMessages(channelId), { body: { embeds: [{ title: 'Error E-123', color: 0xff0000 }] } });
    const stored = await simulator.waitForMessage(channelId, (message) => message.embeds[0]?.title === 'Error E-123');
    expect(stored.author.id).toBe(simulator.options.botUser.id);
  });

  it('resumes a dropped shard and replays what it missed', async () => {
    const shard0 = simulator.sessions().find((session) => session.shardId === 0)!;
    const sessionCount = simulator.sessions().length;
    let id = 1300000000000000000n;
    while (shardForGuild(id.toString(), 2) !== 0) id += 1n << 22n;
    const created = waitForEvent<Guild>((resolve) =>
      client.on(Events.GuildCreate, (guild) => guild.id === id.toString() && resolve(guild)),
    );
    const resumed = waitForEvent<void>((resolve) => client.once(Events.ShardResume, () => resolve()));
    expect(simulator.disconnectShard(0)).toBe(true);
    // Dispatched while the socket is closing: only a replay on RESUME can deliver it.
    simulator.addGuild({ id: id.toString(), name: 'Joined While Away' });
    await resumed;
    expect((await created).name).toBe('Joined While Away');
    expect(shard0.resumes).toBe(1);
    expect(simulator.sessions()).toHaveLength(sessionCount);
  });
});
