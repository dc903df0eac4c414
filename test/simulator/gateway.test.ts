import pino from 'pino';
import { DiscordSimulator, shardForGuild } from '../../src/simulator';
import { GatewayTestClient } from './gateway-client';

/** The gateway protocol, frame by frame, with a bare WebSocket client. */
const GUILDS = ['1200000000000000000', '1210000000000000000', '1220000000000000000', '1230000000000000000'].map((id, index) => ({
  id,
  name: `Guild ${index}`,
}));

let simulator: DiscordSimulator;
const clients: GatewayTestClient[] = [];

async function connect(): Promise<GatewayTestClient> {
  const client = await GatewayTestClient.connect(simulator.gatewayUrl);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  // Shards re-identify from test to test: identify pacing is tested on its own (gateway-lifecycle.test.ts).
  simulator = new DiscordSimulator({
    guilds: GUILDS,
    heartbeatIntervalMs: 250,
    heartbeatTimeoutMs: 30_000,
    identifyWindowMs: 0,
    logger: pino({ level: 'silent' }),
  });
  await simulator.start();
});

afterAll(async () => {
  clients.forEach((client) => client.close());
  await simulator?.stop();
});

describe('simulator gateway', () => {
  it('says HELLO with the configured interval and ACKs heartbeats', async () => {
    const client = await connect();
    expect(client.frames[0]).toMatchObject({ op: 10, d: { heartbeat_interval: 250 } });
    client.send(1, null);
    await client.waitFor(() => client.frames.find((frame) => frame.op === 11));
  });

  it('closes with 4004 on a bad token', async () => {
    const client = await connect();
    client.send(2, { token: 'wrong', intents: 1, properties: {}, shard: [0, 1] });
    expect(await client.waitForClose()).toBe(4004);
  });

  it('closes with 4010 on an invalid shard and 4001 on an unknown opcode', async () => {
    const badShard = await connect();
    badShard.send(2, { token: simulator.options.token, intents: 1, properties: {}, shard: [2, 2] });
    expect(await badShard.waitForClose()).toBe(4010);
    const badOp = await connect();
    badOp.send(42, {});
    expect(await badOp.waitForClose()).toBe(4001);
  });

  it('sends READY with the shard routing, then a GUILD_CREATE per routed guild, with sequence numbers', async () => {
    for (const shardId of [0, 1]) {
      const client = await connect();
      const ready = await client.identify(simulator.options.token, [shardId, 2]);
      const routed = GUILDS.filter((guild) => shardForGuild(guild.id, 2) === shardId).map((guild) => guild.id);
      expect(routed.length).toBeGreaterThan(0);
      expect(ready).toMatchObject({
        s: 1,
        d: { v: 10, shard: [shardId, 2], application: { id: simulator.options.applicationId }, user: { id: simulator.options.botUser.id } },
      });
      const data = ready.d as { guilds: { id: string; unavailable: boolean }[]; session_id: string; resume_gateway_url: string };
      expect(data.guilds).toEqual(routed.map((id) => ({ id, unavailable: true })));
      expect(data.resume_gateway_url).toBe(simulator.gatewayUrl);
      const creates = await client.waitFor(() => {
        const found = client.frames.filter((frame) => frame.t === 'GUILD_CREATE');
        return found.length === routed.length ? found : undefined;
      });
      expect(creates.map((frame) => (frame.d as { id: string }).id)).toEqual(routed);
      expect(creates.map((frame) => frame.s)).toEqual(routed.map((_, index) => index + 2));
    }
    expect(simulator.connectedShards()).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('replays missed dispatches on RESUME, then sends RESUMED; refuses an unknown session', async () => {
    const first = await connect();
    const ready = await first.identify(simulator.options.token, [0, 1]);
    const sessionId = (ready.d as { session_id: string }).session_id;
    await first.waitFor(() => (first.frames.filter((frame) => frame.t === 'GUILD_CREATE').length === GUILDS.length ? true : undefined));
    const lastSeq = Math.max(...first.frames.map((frame) => frame.s ?? 0));
    first.close();
    await first.waitForClose();
    await simulator.store.changes.waitFor(
      () => (simulator.connectedShards().some(([, count]) => count === 1) ? undefined : true),
      5000,
      'the socket to be gone',
    );

    simulator.updateGuild(GUILDS[0]!.id, { name: 'Renamed while away' });
    const second = await connect();
    second.send(6, { token: simulator.options.token, session_id: sessionId, seq: lastSeq });
    const resumed = await second.waitForDispatch('RESUMED');
    const replayed = second.frames.filter((frame) => frame.op === 0 && frame.t !== 'RESUMED');
    expect(replayed).toEqual([
      expect.objectContaining({ t: 'GUILD_UPDATE', s: lastSeq + 1, d: expect.objectContaining({ name: 'Renamed while away' }) }),
    ]);
    expect(resumed.s).toBe(lastSeq + 2);

    const stranger = await connect();
    stranger.send(6, { token: simulator.options.token, session_id: 'nope', seq: 1 });
    await stranger.waitFor(() => stranger.frames.find((frame) => frame.op === 9 && frame.d === false));
  });
});
