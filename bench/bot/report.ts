import type { LoadResult } from './load';
import type { ResidentMemory } from './processes';
import type { BenchWorld } from './worlds';

export interface ClientResult {
  load: LoadResult;
  /** Resident memory of each cluster process after the measured run. */
  memory: ResidentMemory[];
}

export interface WorldResult {
  world: BenchWorld;
  bare: ClientResult;
  moddy: ClientResult;
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

function clientCells(result: ClientResult): string {
  const { load } = result;
  return `${fmt(load.perSecond)}/s | ${fmt(load.p50Ms, 1)} ms | ${fmt(load.p99Ms, 1)} ms | ${fmt(rssPerCluster(result) / MB)} MB | ${fmt(peakPerCluster(result) / MB)} MB | ${fmt(load.failed)}`;
}

/** The side-by-side table (Markdown, to paste), the Moddy/bare ratios and each target of issue #12 met or not. */
export function formatReport(results: readonly WorldResult[], concurrency: number): string {
  const lines = [
    `Bare discord.js vs Moddy on the same simulator world, /config show at concurrency ${concurrency}, 2 cluster processes each (RSS: mean per cluster process after the run; peak: its VmHWM)`,
    '',
    '| world | client | throughput | p50 | p99 | RSS per cluster | peak RSS | failed |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { world, bare, moddy } of results) {
    lines.push(`| ${world.description} | bare discord.js | ${clientCells(bare)} |`);
    lines.push(`| | Moddy | ${clientCells(moddy)} |`);
  }
  lines.push(
    '',
    '| world | throughput Moddy/bare | p50 Moddy/bare | p99 Moddy/bare | RSS Moddy/bare | peak RSS Moddy/bare |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const { world, bare, moddy } of results) {
    lines.push(
      `| ${world.name} | ${fmt(moddy.load.perSecond / bare.load.perSecond, 2)}× | ${fmt(moddy.load.p50Ms / bare.load.p50Ms, 2)}× | ${fmt(moddy.load.p99Ms / bare.load.p99Ms, 2)}× | ${fmt(rssPerCluster(moddy) / rssPerCluster(bare), 2)}× | ${fmt(peakPerCluster(moddy) / peakPerCluster(bare), 2)}× |`,
    );
  }
  const memory = results.find((result) => result.world.name === 'memory');
  if (memory) {
    const guilds = memory.world.guilds.length;
    lines.push(
      '',
      `Memory on the realistic world (${fmt(guilds)} guilds, every cluster's RSS summed): default-cache discord.js ${fmt(rssPer1000Guilds(memory.bare, guilds) / MB)} MB per 1,000 guilds, Moddy ${fmt(rssPer1000Guilds(memory.moddy, guilds) / MB)} MB per 1,000 guilds`,
    );
  }
  lines.push('', 'Targets of issue #12:');
  const target = (world: string, label: string, ratio: (result: WorldResult) => number, limit: number, atLeast: boolean): void => {
    const result = results.find((candidate) => candidate.world.name === world);
    if (!result) return void lines.push(`- ${world} ${label}: not measured (world skipped)`);
    const value = ratio(result);
    const met = atLeast ? value >= limit : value <= limit;
    lines.push(`- ${world} ${label} ${atLeast ? '≥' : '≤'} ${limit}×: ${fmt(value, 2)}× — ${met ? 'met' : 'NOT met'}`);
  };
  target('warm', 'throughput', (r) => r.moddy.load.perSecond / r.bare.load.perSecond, 0.85, true);
  target('warm', 'p99', (r) => r.moddy.load.p99Ms / r.bare.load.p99Ms, 1.5, false);
  target('cold', 'throughput', (r) => r.moddy.load.perSecond / r.bare.load.perSecond, 0.6, true);
  target('memory', 'cluster RSS', (r) => rssPerCluster(r.moddy) / rssPerCluster(r.bare), 0.8, false);
  const failures = results.reduce((sum, { bare, moddy }) => sum + bare.load.failed + moddy.load.failed, 0);
  if (failures > 0) {
    lines.push(`- WARNING: ${fmt(failures)} interaction(s) got no reply or a wrong one: the figures are not comparable`);
    for (const { world, bare, moddy } of results) {
      for (const [client, result] of [
        ['bare', bare],
        ['Moddy', moddy],
      ] as const) {
        if (result.load.firstFailure) lines.push(`  - ${world.name}, ${client}, first: ${result.load.firstFailure}`);
      }
    }
  }
  return lines.join('\n');
}
