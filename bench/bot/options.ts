/** One world's size; `guilds: 0` skips it. */
export interface WorldSize {
  guilds: number;
  interactions: number;
}

export interface BotBenchOptions {
  /** Repeated users and guilds, 4 shards in 2 clusters. Default: 2,000 guilds, 10,000 interactions (issue #12). */
  warm: WorldSize;
  /** Mostly unseen users and guilds, 8 shards in 2 clusters. Default: 10,000 guilds, 5,000 interactions. */
  cold: WorldSize;
  /** The realistic world (big guilds with hundreds of channels, roles and emojis, member lists): memory per 1,000 guilds. Default: 2,000 guilds, 2,000 interactions. */
  memory: WorldSize;
  /** Interactions in flight at once. Default 50. */
  concurrency: number;
  /**
   * Bare and Moddy (in turn first), this many times per world, each start on a fresh database: the ratios are the
   * medians of the rounds, since the machine's speed drifts between two halves of a run (single rounds of one run
   * spread over 0.3× on this machine). Default 5.
   */
  rounds: number;
}

export const DEFAULT_BOT_BENCH: BotBenchOptions = {
  warm: { guilds: 2_000, interactions: 10_000 },
  cold: { guilds: 10_000, interactions: 5_000 },
  memory: { guilds: 2_000, interactions: 2_000 },
  concurrency: 50,
  rounds: 5,
};

export class BotBenchArgumentError extends Error {
  readonly code = 'BOT_BENCH_ARGUMENT';
}

const WORLDS = ['warm', 'cold', 'memory'] as const;
const COUNTS = ['concurrency', 'rounds'] as const;
const ARGUMENTS: readonly string[] = [...WORLDS, ...COUNTS];

function positiveOrZero(text: string, what: string): number {
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < 0)
    throw new BotBenchArgumentError(`${what}: expected a whole number ≥ 0, got ${JSON.stringify(text)}`);
  return value;
}

function parseSize(name: string, text: string, fallback: WorldSize): WorldSize {
  const [guilds = '', interactions] = text.split(',');
  const size = { guilds: positiveOrZero(guilds, `${name} guilds`), interactions: fallback.interactions };
  if (interactions !== undefined) size.interactions = positiveOrZero(interactions, `${name} interactions`);
  return size;
}

/**
 * Sizes from `warm=GUILDS[,INTERACTIONS]`, `cold=…`, `memory=…`, `concurrency=N`, `rounds=N` arguments, else
 * the defaults. `warm=0` skips the warm world.
 */
export function parseBotBenchOptions(args: readonly string[]): BotBenchOptions {
  const given = new Map<string, string>();
  for (const arg of args) {
    const [name = '', value] = arg.split('=');
    if (value === undefined || !ARGUMENTS.includes(name)) {
      throw new BotBenchArgumentError(
        `unknown argument ${JSON.stringify(arg)}; expected warm=G[,I], cold=G[,I], memory=G[,I], concurrency=N, rounds=N`,
      );
    }
    given.set(name, value);
  }
  const options: BotBenchOptions = { ...DEFAULT_BOT_BENCH };
  for (const world of WORLDS) {
    const text = given.get(world);
    if (text !== undefined) options[world] = parseSize(world, text, DEFAULT_BOT_BENCH[world]);
  }
  for (const count of COUNTS) {
    const text = given.get(count);
    if (text !== undefined) options[count] = Math.max(1, positiveOrZero(text, count));
  }
  return options;
}
