import { Events, Status, type Client } from 'discord.js';
import pino from 'pino';
import { DiscordSimulator, type InteractionHandle } from '../../src/simulator';
import { eventually } from '../helpers/eventually';
import { recordingLogger } from '../helpers/recording-logger';
import { loginBotClient, openBotFixture, type BotFixture } from './fixture';

const GUILD = '1900000000000000001';
const USER = '1910000000000000001';
const HEARTBEAT_MS = 500;
const GatewayOp = { Identify: 2, Resume: 6 } as const;

/** Discord's window for the first answer to an interaction. */
const INTERACTION_WINDOW_MS = 3000;

/**
 * How one interaction ended: answered; received but answered after its window (Discord refuses the
 * callback with 10062); or never delivered because its session was replaced by a new IDENTIFY (the
 * user sees Discord's "The application did not respond").
 */
type Outcome = 'answered' | 'expired' | 'undelivered';

describe('the bot client under gateway faults', () => {
  let fixture: BotFixture;
  let simulator: DiscordSimulator;
  let client: Client;
  /** Interactions the bot received over the gateway. */
  const received = new Set<string>();
  const { logger, lines } = recordingLogger();

  beforeAll(async () => {
    fixture = await openBotFixture('bot_gw_faults');
    simulator = new DiscordSimulator({
      logger: pino({ level: 'silent' }),
      users: [{ id: USER, username: 'faulty' }],
      guilds: [{ id: GUILD, name: 'Faults', members: [{ userId: USER }] }],
      heartbeatIntervalMs: HEARTBEAT_MS,
      // A zombie is the client's to detect; the simulator's own timeout must not do it for it.
      heartbeatTimeoutMs: 60_000,
      // Re-identifying the same shard at once is what these faults ask for.
      identifyWindowMs: 0,
    });
    await simulator.start();
    client = await loginBotClient(fixture, simulator, { identifyWindowMs: 0, logger });
    client.on(Events.InteractionCreate, (interaction) => void received.add(interaction.id));
  });

  afterAll(async () => {
    await client.destroy();
    await simulator.stop();
    await fixture.cleanup();
  });

  const framesSent = (op: number) => simulator.gatewayFrames().filter((frame) => frame.op === op).length;
  const ask = (): InteractionHandle =>
    simulator.sendInteraction({ user: USER, guildId: GUILD, command: 'user', subcommand: 'lookup', options: { id: USER } });
  const callbackOf = (handle: InteractionHandle) =>
    simulator.requests().find((request) => request.path.startsWith(`/interactions/${handle.id}/`));
  /** What became of an interaction: waits for the bot's callback, or for its window to pass without the bot receiving it. */
  const outcome = async (handle: InteractionHandle, sentAt: number): Promise<Outcome> => {
    await eventually(
      () => callbackOf(handle) !== undefined || (!received.has(handle.id) && Date.now() > sentAt + INTERACTION_WINDOW_MS + 500),
      20_000,
    );
    const callback = callbackOf(handle);
    if (!callback) return 'undelivered';
    if (callback.status < 300) {
      await handle.response(10_000);
      return 'answered';
    }
    expect(callback).toMatchObject({ status: 404, body: expect.anything() });
    return 'expired';
  };
  /** Drops the shard's socket with `code`, sends interactions while it is down, and tells what became of each. */
  const outage = async (code: number): Promise<Outcome[]> => {
    expect(simulator.disconnectShard(0, code)).toBe(true);
    const sentAt = Date.now();
    const comebacks = framesSent(GatewayOp.Resume) + framesSent(GatewayOp.Identify);
    const whileDown = [ask(), ask(), ask()];
    await eventually(() => framesSent(GatewayOp.Resume) + framesSent(GatewayOp.Identify) > comebacks, 15_000);
    await answersAgain();
    return Promise.all(whileDown.map((handle) => outcome(handle, sentAt)));
  };
  const answersAgain = async () => {
    await simulator.waitForShards(1);
    await expect(handleContent(ask())).resolves.toContain('faulty');
  };
  const handleContent = async (handle: InteractionHandle) => (await handle.response(10_000)).message?.content ?? '';

  /** Applies a fault and waits until the shard came back by `way` (RESUME or a new IDENTIFY). */
  const survives = async (fault: () => boolean, way: 'resume' | 'identify') => {
    const op = way === 'resume' ? GatewayOp.Resume : GatewayOp.Identify;
    const before = framesSent(op);
    expect(fault()).toBe(true);
    await eventually(() => framesSent(op) > before, 15_000);
    await answersAgain();
  };

  it('resumes after op 7 RECONNECT', async () => {
    await survives(() => simulator.requestReconnect(0), 'resume');
  });

  it('resumes after op 9 INVALID_SESSION d=true', async () => {
    await survives(() => simulator.invalidateSession(0, true), 'resume');
  });

  it('identifies again after op 9 INVALID_SESSION d=false', async () => {
    const sessionsBefore = new Set(simulator.sessions().map((session) => session.id));
    await survives(() => simulator.invalidateSession(0, false), 'identify');
    expect(simulator.sessions().some((session) => !sessionsBefore.has(session.id) && session.socket !== null)).toBe(true);
  });

  it('detects a zombie connection (heartbeats not ACKed) and resumes', async () => {
    const resumesBefore = framesSent(GatewayOp.Resume);
    expect(simulator.stopHeartbeatAcks(0)).toBe(true);
    // discord.js closes a connection whose last heartbeat was not ACKed when the next one is due, then resumes.
    await eventually(() => framesSent(GatewayOp.Resume) > resumesBefore, 15_000);
    await eventually(() => simulator.sessions().some((session) => session.socket !== null && !session.acksStopped), 15_000);
    await answersAgain();
  });

  it('resumes after a dropped socket (4000) and answers the interactions sent while it was down', async () => {
    const resumesBefore = framesSent(GatewayOp.Resume);
    const outcomes = await outage(4000);
    expect(framesSent(GatewayOp.Resume)).toBeGreaterThan(resumesBefore);
    // The session's dispatches were replayed on RESUME: each one reached the bot and was answered
    // (or, on a machine slow enough to pass Discord's 3 s window, refused by Discord with 10062).
    expect(outcomes.filter((result) => result === 'undelivered')).toEqual([]);
    expect(outcomes).toContain('answered');
  });

  it('comes back after a 4008 close; every interaction sent meanwhile is answered or fails as on Discord', async () => {
    const resumesBefore = framesSent(GatewayOp.Resume);
    const identifiesBefore = framesSent(GatewayOp.Identify);
    const outcomes = await outage(4008);
    const reidentified = framesSent(GatewayOp.Identify) > identifiesBefore;
    expect(reidentified || framesSent(GatewayOp.Resume) > resumesBefore).toBe(true);
    // discord.js answers 4008 with a new IDENTIFY: the old session's dispatches are gone, as on Discord.
    for (const result of outcomes) {
      if (result === 'undelivered') expect(reidentified).toBe(true);
      else expect(['answered', 'expired']).toContain(result);
    }
    process.stdout.write(
      `gateway faults: after 4008 the shard ${reidentified ? 're-identified' : 'resumed'}; interactions sent while down: ${outcomes.join(', ')}\n`,
    );
  });

  // Last: the shard stays off after it.
  it('a fatal close (4014) leaves the shard off, as discord.js does, and is logged as an error naming the code and the fix', async () => {
    expect(simulator.disconnectShard(0, 4014)).toBe(true);
    const line = await eventually(() => lines.find((entry) => entry.level === 50 && entry.code === 4014), 15_000);
    expect(line).toMatchObject({ shardId: 0, closeName: 'Disallowed intents', restartable: false });
    expect(line.msg).toContain('Privileged Gateway Intents');
    expect(client.ws.shards.get(0)?.status).toBe(Status.Disconnected);
    // Moddy's cluster process then exits so its manager sees it (test/cluster/readiness.test.ts).
  });
});
