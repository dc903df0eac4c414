import pino from 'pino';
import { ApplicationFlag, DiscordSimulator, Intent, type DiscordSimulatorOptions } from '../../src/simulator';
import { eventually } from '../helpers/eventually';
import { GatewayTestClient } from './gateway-client';

/** The gateway's side of the lifecycle: control opcodes, timeouts, close codes, intents, identify pacing. */
const GUILD = { id: '1200000000000000000', name: 'Guild' };
const USER = { id: '1200000000000000099', username: 'ada' };
const started: DiscordSimulator[] = [];
const clients: GatewayTestClient[] = [];

async function simulatorWith(options: DiscordSimulatorOptions = {}): Promise<DiscordSimulator> {
  // A short interval, but a timeout no event-loop stall on a busy machine reaches, except where the timeout is the subject.
  const simulator = new DiscordSimulator({
    guilds: [GUILD],
    users: [USER],
    heartbeatIntervalMs: 200,
    heartbeatTimeoutMs: 30_000,
    identifyWindowMs: 0,
    logger: pino({ level: 'silent' }),
    ...options,
  });
  await simulator.start();
  started.push(simulator);
  return simulator;
}

async function connect(simulator: DiscordSimulator, options: { heartbeats?: boolean } = {}): Promise<GatewayTestClient> {
  const client = await GatewayTestClient.connect(simulator.gatewayUrl, options);
  clients.push(client);
  return client;
}

function identifyWith(client: GatewayTestClient, simulator: DiscordSimulator, intents: number, shard: [number, number] = [0, 1]): void {
  client.send(2, { token: simulator.options.token, intents, properties: { os: 'linux', browser: 'test', device: 'test' }, shard });
}

const received = (client: GatewayTestClient, op: number, d?: unknown) =>
  client.waitFor(() => client.frames.find((frame) => frame.op === op && (d === undefined || frame.d === d)));

afterAll(async () => {
  clients.forEach((client) => client.close());
  await Promise.all(started.map((simulator) => simulator.stop()));
});

describe('simulator gateway lifecycle', () => {
  it('sends op 1, op 7 and op 9 on request; op 9 false forgets the session, true keeps it resumable', async () => {
    const simulator = await simulatorWith();
    const client = await connect(simulator);
    const ready = await client.identify(simulator.options.token, [0, 1]);
    const sessionId = (ready.d as { session_id: string }).session_id;
    expect(simulator.requestHeartbeat(0)).toBe(true);
    await received(client, 1);
    expect(simulator.requestReconnect(0)).toBe(true);
    await received(client, 7);

    expect(simulator.invalidateSession(0, true)).toBe(true);
    await received(client, 9, true);
    client.send(6, { token: simulator.options.token, session_id: sessionId, seq: client.lastSequence() });
    await client.waitForDispatch('RESUMED');

    expect(simulator.invalidateSession(0, false)).toBe(true);
    await received(client, 9, false);
    const again = await connect(simulator);
    again.send(6, { token: simulator.options.token, session_id: sessionId, seq: client.lastSequence() });
    await received(again, 9, false);
    expect(simulator.requestHeartbeat(5)).toBe(false);
  });

  it('stops ACKing heartbeats on request (a zombie connection), and closes clients that stop heartbeating with 4009', async () => {
    const simulator = await simulatorWith();
    const zombie = await connect(simulator);
    await zombie.identify(simulator.options.token, [0, 1]);
    expect(simulator.stopHeartbeatAcks(0)).toBe(true);
    const acksBefore = zombie.frames.filter((frame) => frame.op === 11).length;
    const heartbeatsBefore = simulator.gatewayFrames().filter((frame) => frame.op === 1).length;
    await eventually(() => simulator.gatewayFrames().filter((frame) => frame.op === 1).length >= heartbeatsBefore + 3);
    expect(zombie.frames.filter((frame) => frame.op === 11).length).toBe(acksBefore);

    const strict = await simulatorWith({ heartbeatTimeoutMs: 500 });
    const silent = await connect(strict, { heartbeats: false });
    await silent.identify(strict.options.token, [0, 1]);
    expect(await silent.waitForClose()).toBe(4009);
  });

  it('closes with 4007 on a RESUME with a sequence the session never reached', async () => {
    const simulator = await simulatorWith();
    const client = await connect(simulator);
    const ready = await client.identify(simulator.options.token, [0, 1]);
    client.close();
    await client.waitForClose();
    const resumer = await connect(simulator);
    resumer.send(6, { token: simulator.options.token, session_id: (ready.d as { session_id: string }).session_id, seq: 999 });
    expect(await resumer.waitForClose()).toBe(4007);
  });

  it('closes with 4008 past the send limit', async () => {
    const simulator = await simulatorWith({ gatewaySendLimit: { limit: 5, windowMs: 60_000 } });
    const client = await connect(simulator, { heartbeats: false });
    for (let index = 0; index < 6; index++) client.send(1, null);
    expect(await client.waitForClose()).toBe(4008);
  });

  it('closes with 4013 on invalid intents and 4014 on privileged intents the application lacks', async () => {
    const simulator = await simulatorWith();
    const invalid = await connect(simulator);
    identifyWith(invalid, simulator, 1 << 30);
    expect(await invalid.waitForClose()).toBe(4013);
    const privileged = await connect(simulator);
    identifyWith(privileged, simulator, Intent.Guilds | Intent.GuildMembers);
    expect(await privileged.waitForClose()).toBe(4014);

    const approved = await simulatorWith({ applicationFlags: ApplicationFlag.GatewayGuildMembersLimited });
    const client = await connect(approved);
    identifyWith(client, approved, Intent.Guilds | Intent.GuildMembers);
    await client.waitForDispatch('READY');
  });

  it('dispatches only the events the intents ask for', async () => {
    const simulator = await simulatorWith();
    const client = await connect(simulator);
    identifyWith(client, simulator, Intent.GuildMessages);
    await client.waitForDispatch('READY');
    const handle = simulator.sendInteraction({ user: USER.id, guildId: GUILD.id, command: 'ping' });
    simulator.updateGuild(GUILD.id, { name: 'Renamed' });
    await client.waitForDispatch('INTERACTION_CREATE', (d) => (d as { id: string }).id === handle.id);
    const events = client.frames.filter((frame) => frame.op === 0).map((frame) => frame.t);
    expect(events).toEqual(['READY', 'INTERACTION_CREATE']);
  });

  it('paces IDENTIFY by max_concurrency buckets and counts session_start_limit down', async () => {
    const simulator = await simulatorWith({ maxConcurrency: 2, identifyWindowMs: 60_000, sessionStartLimit: 3 });
    const gatewayBot = async () => {
      const response = await fetch(`${simulator.apiUrl}/v10/gateway/bot`, { headers: { authorization: `Bot ${simulator.options.token}` } });
      return ((await response.json()) as { session_start_limit: { remaining: number; total: number; max_concurrency: number } })
        .session_start_limit;
    };
    expect(await gatewayBot()).toMatchObject({ total: 3, remaining: 3, max_concurrency: 2 });
    // Shards 0 and 1 are in different buckets: both identify at once. Shard 2 shares shard 0's bucket.
    const [zero, one, two] = await Promise.all([connect(simulator), connect(simulator), connect(simulator)]);
    await zero!.identify(simulator.options.token, [0, 4]);
    await one!.identify(simulator.options.token, [1, 4]);
    identifyWith(two!, simulator, Intent.Guilds, [2, 4]);
    await received(two!, 9, false);
    expect(simulator.identifyLog()).toMatchObject({
      refused: [{ shardId: 2, bucket: 0 }],
      starts: [
        { shardId: 0, bucket: 0 },
        { shardId: 1, bucket: 1 },
      ],
    });
    expect(await gatewayBot()).toMatchObject({ remaining: 1 });

    const exhausting = await simulatorWith({ sessionStartLimit: 1 });
    const first = await connect(exhausting);
    await first.identify(exhausting.options.token, [0, 1]);
    const second = await connect(exhausting);
    identifyWith(second, exhausting, Intent.Guilds);
    expect(await second.waitForClose()).toBe(4004);
    // Discord resets the token past the limit: every session ends.
    expect(await first.waitForClose()).toBe(4004);
  });
});
