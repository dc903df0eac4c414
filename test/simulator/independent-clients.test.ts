import {
  Client as CoreClient,
  GatewayDispatchEvents,
  GatewayIntentBits,
  type APIChatInputApplicationCommandInteraction,
} from '@discordjs/core';
import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { Client as OceanicClient, CommandInteraction } from 'oceanic.js';
import pino from 'pino';
import { DiscordSimulator } from '../../src/simulator';

/**
 * Two clients that are not discord.js (`@discordjs/core` + `@discordjs/ws`, and oceanic.js) connect,
 * get READY, answer an interaction and resume: the simulator is Discord, not a discord.js fixture.
 */
const GUILD = { id: '1200000000000000000', name: 'Guild' };
const USER = { id: '1200000000000000099', username: 'ada' };

async function startSimulator(): Promise<DiscordSimulator> {
  const simulator = new DiscordSimulator({ guilds: [GUILD], users: [USER], heartbeatIntervalMs: 1000, logger: pino({ level: 'silent' }) });
  await simulator.start();
  return simulator;
}

/** Sends an interaction and returns its reply's content once answered. */
async function interactionAnswered(simulator: DiscordSimulator, text: string): Promise<string | undefined> {
  const handle = simulator.sendInteraction({ user: USER.id, guildId: GUILD.id, command: 'echo', options: { text } });
  return (await handle.response()).message?.content;
}

describe('@discordjs/core with @discordjs/ws', () => {
  let simulator: DiscordSimulator;
  let gateway: WebSocketManager;

  beforeAll(async () => {
    simulator = await startSimulator();
  });

  afterAll(async () => {
    await gateway?.destroy();
    await simulator?.stop();
  });

  it('connects, gets READY, replies to an interaction, and resumes after a drop', async () => {
    const rest = new REST({ api: simulator.apiUrl }).setToken(simulator.options.token);
    gateway = new WebSocketManager({ token: simulator.options.token, intents: GatewayIntentBits.Guilds, rest });
    const client = new CoreClient({ rest, gateway });
    client.on(GatewayDispatchEvents.InteractionCreate, ({ data, api }) => {
      const interaction = data as APIChatInputApplicationCommandInteraction;
      const text = interaction.data.options?.find((option) => option.name === 'text');
      // A failed reply fails the test through the reply it never sees.
      void api.interactions
        .reply(interaction.id, interaction.token, { content: `core: ${text && 'value' in text ? String(text.value) : ''}` })
        .catch(() => undefined);
    });
    const ready = new Promise<{ user: { id: string } }>((resolve) => client.once(GatewayDispatchEvents.Ready, ({ data }) => resolve(data)));
    await gateway.connect();
    expect((await ready).user.id).toBe(simulator.options.botUser.id);
    expect(await interactionAnswered(simulator, 'one')).toBe('core: one');

    const resumed = new Promise<void>((resolve) => gateway.once(WebSocketShardEvents.Resumed, () => resolve()));
    simulator.disconnectShard(0);
    await resumed;
    expect(simulator.sessions().filter((session) => session.resumes > 0)).toHaveLength(1);
    expect(await interactionAnswered(simulator, 'two')).toBe('core: two');
  });
});

describe('oceanic.js', () => {
  let simulator: DiscordSimulator;
  let client: OceanicClient;

  beforeAll(async () => {
    simulator = await startSimulator();
  });

  afterAll(async () => {
    client?.disconnect(false);
    await simulator?.stop();
  });

  it('connects, gets READY, replies to an interaction, and resumes after a drop', async () => {
    client = new OceanicClient({
      auth: `Bot ${simulator.options.token}`,
      gateway: { intents: ['GUILDS'] },
      rest: { baseURL: `${simulator.apiUrl}/v10` },
    });
    // oceanic.js reports every close it did not ask for as an error, then reconnects.
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error as Error));
    client.on('interactionCreate', (interaction) => {
      if (interaction instanceof CommandInteraction)
        void interaction.createMessage({ content: `oceanic: ${interaction.data.options.getString('text') ?? ''}` });
    });
    const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
    await client.connect();
    await ready;
    expect(client.user.id).toBe(simulator.options.botUser.id);
    expect(client.guilds.has(GUILD.id)).toBe(true);
    expect(await interactionAnswered(simulator, 'one')).toBe('oceanic: one');

    const resumed = new Promise<void>((resolve) => client.once('shardResume', () => resolve()));
    simulator.disconnectShard(0);
    await resumed;
    expect(simulator.sessions().filter((session) => session.resumes > 0)).toHaveLength(1);
    expect(await interactionAnswered(simulator, 'two')).toBe('oceanic: two');
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining('4000')]);
  });
});
