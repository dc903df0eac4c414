import { ReplaySchedule } from '../../src/error-tracking/replay-schedule';
import { resolveTrackerOptions } from '../../src/error-tracking/tracker-options';
import { generateErrorCode } from '../../src/core/error-code';

/** A replayer whose rounds fail or deliver as the test says, and a journal that records its releases. */
function collaborators(outcomes: (number | Error)[]) {
  const releases: boolean[] = [];
  const warnings: { retryInMs?: number }[] = [];
  let rounds = 0;
  const deps = {
    journal: { release: (ownToo: boolean) => releases.push(ownToo) },
    replayer: {
      replay: async () => {
        const outcome = outcomes[rounds] ?? 0;
        rounds += 1;
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    },
    logger: { warn: (fields: object) => void warnings.push(fields) },
  };
  return { deps, releases, warnings, rounds: () => rounds };
}

describe('ReplaySchedule', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('releases the due journal segments (all of them after a reconnect), then replays', async () => {
    const { deps, releases } = collaborators([3, 0]);
    const schedule = new ReplaySchedule(deps, 0);
    expect(await schedule.replay()).toBe(3);
    expect(await schedule.replay(true)).toBe(0);
    expect(releases).toEqual([false, true]);
    schedule.close();
  });

  it('retries a failed replay with doubling backoff from 500 ms, resolving 0 and never rejecting', async () => {
    const { deps, warnings, rounds } = collaborators([new Error('down'), new Error('still down'), 2]);
    const schedule = new ReplaySchedule(deps, 0);
    expect(await schedule.replay()).toBe(0);
    expect(warnings.map((warning) => warning.retryInMs)).toEqual([500]);
    await jest.advanceTimersByTimeAsync(499);
    expect(rounds()).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(rounds()).toBe(2);
    expect(warnings.map((warning) => warning.retryInMs)).toEqual([500, 1000]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(rounds()).toBe(3);
    // Delivered: no further retry.
    await jest.advanceTimersByTimeAsync(60_000);
    expect(rounds()).toBe(3);
    schedule.close();
  });

  it('replays every interval, and close() stops both the interval and a pending retry', async () => {
    const { deps, rounds } = collaborators([1, new Error('down')]);
    const schedule = new ReplaySchedule(deps, 30_000);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(rounds()).toBe(1);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(rounds()).toBe(2);
    schedule.close();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(rounds()).toBe(2);
  });
});

describe('resolveTrackerOptions', () => {
  it('fills the documented defaults and keeps what is given', () => {
    expect(resolveTrackerOptions({ prefix: 'p', retentionDays: 90 })).toEqual({
      prefix: 'p',
      retentionDays: 90,
      generateCode: generateErrorCode,
      projectRoot: process.cwd(),
      contextMaxBytes: 16 * 1024,
      codePoolSize: 256,
      redisTimeoutMs: 500,
      databaseTimeoutMs: 2000,
      replayIntervalMs: 30_000,
      journalConfirmAfterMs: 60_000,
    });
    const generateCode = () => 'ABCD2345';
    expect(resolveTrackerOptions({ prefix: 'p', retentionDays: 1, generateCode, replayIntervalMs: 0, codePoolSize: 4 })).toMatchObject({
      generateCode,
      replayIntervalMs: 0,
      codePoolSize: 4,
    });
  });
});
