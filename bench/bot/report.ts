import type { LoadResult } from './load';
import type { ResidentMemory } from './processes';
import type { BenchWorld } from './worlds';

export interface ClientResult {
  load: LoadResult;
  /** Resident memory of each cluster process after the measured run. */
  memory: ResidentMemory[];
}

/** One bare run and the Moddy run right after it. */
export interface RoundResult {
  bare: ClientResult;
  moddy: ClientResult;
}

export interface WorldResult {
  world: BenchWorld;
  rounds: RoundResult[];
}

const MB = 1024 * 1024;
const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';
const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const rssPerCluster = (result: ClientResult): number => mean(result.memory.map((process) => process.rssBytes));
const peakPerCluster = (result: ClientResult): number => mean(result.memory.map((process) => process.peakBytes));
/** All the clusters' memory for every 1,000 guilds of the world. */
const rssPer1000Guilds = (result: ClientResult, guilds: number): number =>
  result.memory.reduce((sum, process) => sum + process.rssBytes, 0) / (guilds / 1000);

/** Moddy/bare, per round. */
type Ratio = (round: RoundResult) => number;
const RATIOS = {
  throughput: ({ bare, moddy }) => moddy.load.perSecond / bare.load.perSecond,
  p50: ({ bare, moddy }) => moddy.load.p50Ms / bare.load.p50Ms,
  p99: ({ bare, moddy }) => moddy.load.p99Ms / bare.load.p99Ms,
  rss: ({ bare, moddy }) => rssPerCluster(moddy) / rssPerCluster(bare),
  peakRss: ({ bare, moddy }) => peakPerCluster(moddy) / peakPerCluster(bare),
} satisfies Record<string, Ratio>;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

const medianRatio = (result: WorldResult, ratio: Ratio): number => median(result.rounds.map(ratio));

/** The round whose throughput ratio is the median (the lower one of an even count): its figures stand for the world. */
function medianRound(result: WorldResult): { round: RoundResult; index: number } {
  const order = result.rounds
    .map((round, index) => ({ round, index }))
    .sort((a, b) => RATIOS.throughput(a.round) - RATIOS.throughput(b.round));
  return order[Math.floor((order.length - 1) / 2)] as { round: RoundResult; index: number };
}

function clientCells(result: ClientResult): string {
  const { load } = result;
  return `${fmt(load.perSecond)}/s | ${fmt(load.p50Ms, 1)} ms | ${fmt(load.p99Ms, 1)} ms | ${fmt(rssPerCluster(result) / MB)} MB | ${fmt(peakPerCluster(result) / MB)} MB | ${fmt(load.failed)}`;
}

/** The side-by-side table (Markdown, to paste), the Moddy/bare ratios and each target of issue #12 met or not. */
export function formatReport(results: readonly WorldResult[], concurrency: number): string {
  const rounds = results[0]?.rounds.length ?? 0;
  const lines = [
    `Bare discord.js vs Moddy on the same simulator world, /config show at concurrency ${concurrency}, 2 cluster processes each on Node.js ${process.version} (RSS: mean per cluster process after the run; peak: its VmHWM); ${rounds} round(s) per world (bare first in odd rounds, Moddy first in even ones), the figures of the round with the median throughput ratio`,
    '',
    '| world | client | throughput | p50 | p99 | RSS per cluster | peak RSS | failed |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const result of results) {
    const { round, index } = medianRound(result);
    lines.push(`| ${result.world.description}, round ${index + 1} | bare discord.js | ${clientCells(round.bare)} |`);
    lines.push(`| | Moddy | ${clientCells(round.moddy)} |`);
  }
  lines.push(
    '',
    'Medians over the rounds:',
    '',
    '| world | throughput Moddy/bare | p50 Moddy/bare | p99 Moddy/bare | RSS Moddy/bare | peak RSS Moddy/bare | throughput per round |',
    '|---|---:|---:|---:|---:|---:|---|',
  );
  for (const result of results) {
    const ratio = (which: Ratio): string => `${fmt(medianRatio(result, which), 2)}×`;
    const perRound = result.rounds.map((round) => `${fmt(RATIOS.throughput(round), 2)}×`).join(', ');
    lines.push(
      `| ${result.world.name} | ${ratio(RATIOS.throughput)} | ${ratio(RATIOS.p50)} | ${ratio(RATIOS.p99)} | ${ratio(RATIOS.rss)} | ${ratio(RATIOS.peakRss)} | ${perRound} |`,
    );
  }
  const memory = results.find((result) => result.world.name === 'memory');
  if (memory) {
    const guilds = memory.world.guilds.length;
    const { round } = medianRound(memory);
    lines.push(
      '',
      `Memory on the realistic world (${fmt(guilds)} guilds, every cluster's RSS summed): default-cache discord.js ${fmt(rssPer1000Guilds(round.bare, guilds) / MB)} MB per 1,000 guilds, Moddy ${fmt(rssPer1000Guilds(round.moddy, guilds) / MB)} MB per 1,000 guilds`,
    );
  }
  lines.push('', 'Targets of issue #12 (medians over the rounds):');
  const target = (world: string, label: string, ratio: Ratio, limit: number, atLeast: boolean): void => {
    const result = results.find((candidate) => candidate.world.name === world);
    if (!result) return void lines.push(`- ${world} ${label}: not measured (world skipped)`);
    const value = medianRatio(result, ratio);
    const met = atLeast ? value >= limit : value <= limit;
    lines.push(`- ${world} ${label} ${atLeast ? '≥' : '≤'} ${limit}×: ${fmt(value, 2)}× — ${met ? 'met' : 'NOT met'}`);
  };
  target('warm', 'throughput', RATIOS.throughput, 0.85, true);
  target('warm', 'p99', RATIOS.p99, 1.5, false);
  target('cold', 'throughput', RATIOS.throughput, 0.6, true);
  target('memory', 'cluster RSS', RATIOS.rss, 0.8, false);
  const runs = results.flatMap((result) =>
    result.rounds.flatMap((round, index) => [
      { world: result.world.name, index, client: 'bare', load: round.bare.load },
      { world: result.world.name, index, client: 'Moddy', load: round.moddy.load },
    ]),
  );
  const failures = runs.reduce((sum, run) => sum + run.load.failed, 0);
  if (failures > 0) {
    lines.push(`- WARNING: ${fmt(failures)} interaction(s) got no reply or a wrong one: the figures are not comparable`);
    for (const run of runs) {
      if (run.load.firstFailure) lines.push(`  - ${run.world} round ${run.index + 1}, ${run.client}, first: ${run.load.firstFailure}`);
    }
  }
  return lines.join('\n');
}
