import pino from 'pino';
import { translator } from '../../src/bot/i18n';
import { DiscordSimulator } from '../../src/simulator';
import { BENCH_IDENTIFY_WINDOW_MS, startBare, startModdy, type Contender, type ContenderOptions } from './contenders';
import { driveInteractions } from './load';
import { parseBotBenchOptions, type BotBenchOptions } from './options';
import { residentMemory } from './processes';
import { formatReport, type ClientResult, type RoundResult, type WorldResult } from './report';
import { coldWorld, memoryWorld, warmWorld, type BenchWorld } from './worlds';

const en = translator('EN');
/** What Moddy answers `/config show` in a fresh guild; the bare client answers the same text. */
const EXPECTED_REPLY = en('config.show', { prefix: en('config.prefix.unset') });

async function measureClient(
  simulator: DiscordSimulator,
  world: BenchWorld,
  start: (options: ContenderOptions) => Promise<Contender>,
  concurrency: number,
): Promise<ClientResult> {
  const contender = await start({ simulator, shardCount: world.shardCount, clusters: world.clusters, guildCount: world.guilds.length });
  try {
    const options = { concurrency, expectedReply: EXPECTED_REPLY };
    await driveInteractions(simulator, world.warmup, options);
    const load = await driveInteractions(simulator, world.measured, options);
    return { load, memory: await Promise.all(contender.pids().map(residentMemory)) };
  } finally {
    await contender.stop();
  }
}

/**
 * One world: one simulator, the bare client and Moddy measured one after the other, each stopped
 * before the next starts, `rounds` times (Moddy on a new database and Redis prefix each time: as
 * cold as the first). The order alternates from round to round (bare first, then Moddy first…), so
 * a machine that slows down or speeds up during the run does not favour the side measured first.
 */
async function measureWorld(world: BenchWorld, concurrency: number, rounds: number): Promise<WorldResult> {
  const simulator = new DiscordSimulator({
    logger: pino({ level: 'silent' }),
    guilds: world.guilds,
    users: world.users,
    identifyWindowMs: BENCH_IDENTIFY_WINDOW_MS,
  });
  await simulator.start();
  try {
    const log = (text: string): void => console.log(`[${world.name}] ${text}`);
    const measure = async (side: 'bare' | 'Moddy'): Promise<ClientResult> => {
      const result =
        side === 'bare'
          ? await measureClient(simulator, world, (options) => startBare(options, EXPECTED_REPLY), concurrency)
          : await measureClient(simulator, world, startModdy, concurrency);
      log(`${side}: ${result.load.perSecond.toFixed(0)}/s`);
      return result;
    };
    const measured: RoundResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      const bareFirst = round % 2 === 1;
      log(
        `${world.description}, round ${round} of ${rounds}: ${bareFirst ? 'bare discord.js, then Moddy' : 'Moddy, then bare discord.js'}…`,
      );
      const first = await measure(bareFirst ? 'bare' : 'Moddy');
      const second = await measure(bareFirst ? 'Moddy' : 'bare');
      const [bare, moddy] = bareFirst ? [first, second] : [second, first];
      log(`round ${round}: Moddy/bare ${(moddy.load.perSecond / bare.load.perSecond).toFixed(2)}×`);
      measured.push({ bare, moddy });
    }
    return { world, rounds: measured };
  } finally {
    await simulator.stop();
  }
}

/** `npm run bench:bot` (and the `bot` section of `npm run bench`, default sizes): sizes from the arguments, see `options.ts`. */
export async function run(args: readonly string[] = []): Promise<void> {
  const options: BotBenchOptions = parseBotBenchOptions(args);
  const worlds = [
    options.warm.guilds > 0 ? warmWorld(options.warm) : null,
    options.cold.guilds > 0 ? coldWorld(options.cold) : null,
    options.memory.guilds > 0 ? memoryWorld(options.memory) : null,
  ].filter((world): world is BenchWorld => world !== null);
  const results: WorldResult[] = [];
  for (const world of worlds) results.push(await measureWorld(world, options.concurrency, options.rounds));
  console.log(`\n${formatReport(results, options.concurrency)}`);
}

if (require.main === module) {
  run(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
