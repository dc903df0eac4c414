import pino from 'pino';
import { fetchGatewayBot } from '../../src/cluster/gateway-bot';
import { startClusterManager } from '../../src/cluster/manager';
import { SessionStartLimitError, assertSessionStartsLeft } from '../../src/cluster/session-start-floor';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';

/**
 * Issue #13: a host refuses to start its shards when that would spend Discord's daily session
 * starts (`session_start_limit.remaining` of `/gateway/bot`) below `DISCORD_SESSION_START_FLOOR`,
 * saying why, before anything is claimed or spawned. The simulator allows 10 starts a day.
 */
const silent = pino({ level: 'silent' });

describe('session start floor', () => {
  let simulator: DiscordSimulator;

  beforeAll(async () => {
    simulator = new DiscordSimulator({ logger: silent, sessionStartLimit: 10, guilds: [{ id: '1200000000000000000', name: 'Guild' }] });
    await simulator.start();
  });

  afterAll(async () => {
    await simulator?.stop();
  });

  it('reads session_start_limit from /gateway/bot and refuses a start that would go under the floor, never when it is 0', async () => {
    const { sessionStarts } = await fetchGatewayBot(simulator.apiUrl, DEV_TOKEN);
    expect(sessionStarts).toEqual({ total: 10, remaining: 10, resetAfterMs: 86_400_000 });
    expect(() => assertSessionStartsLeft(sessionStarts, 5, 5)).not.toThrow();
    expect(() => assertSessionStartsLeft(sessionStarts, 6, 5)).toThrow(SessionStartLimitError);
    expect(() => assertSessionStartsLeft(sessionStarts, 10, 0)).not.toThrow();
  });

  it('a host of 8 shards with a floor of 5 refuses to start them, says why, and identifies nothing', async () => {
    const start = startClusterManager({
      // Never run: the refusal comes before any cluster is spawned.
      file: __filename,
      token: DEV_TOKEN,
      apiUrl: simulator.apiUrl,
      totalShards: 8,
      shardsPerCluster: 4,
      spawnDelayMs: 0,
      sessionStartFloor: 5,
      logger: silent,
    });
    const error = await start.then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(SessionStartLimitError);
    expect(error).toMatchObject({ code: 'SESSION_START_LIMIT', shards: 8, floor: 5 });
    expect((error as Error).message).toBe(
      "Discord allows 10 more session starts of 10 until its count resets in 24 h 0 min; starting this host's 8 shards would leave 2, " +
        'under DISCORD_SESSION_START_FLOOR=5. Refusing to start them: start again after the reset, or lower DISCORD_SESSION_START_FLOOR to spend the reserve.',
    );
    expect(simulator.identifyLog().starts).toEqual([]);
  });
});
