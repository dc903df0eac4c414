import type { DiscordSimulator } from '../../src/simulator';
import type { PlannedInteraction } from './worlds';

export interface LoadResult {
  /** Replies that were the expected text. */
  answered: number;
  /** Interactions with no reply in time, or a reply other than the expected text. */
  failed: number;
  /** The first failure's reason, to tell a slow client from a wrong answer. */
  firstFailure: string | null;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  concurrency: number;
  /** The reply every interaction must get (anything else counts as failed). */
  expectedReply: string;
  /** Discord's callback window is 3 s; an auto-deferred answer may take longer. Default 15 000 ms. */
  timeoutMs?: number;
}

/** `/config show` needs Manage Guild: every invoking member has it. */
const MANAGE_GUILD = String(1n << 5n);

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/**
 * Sends `/config show` for each planned interaction, `concurrency` in flight, and times each from
 * the dispatch to the settled reply (the simulator sees the callback). Throughput: answered
 * interactions over the whole run.
 */
export async function driveInteractions(
  simulator: DiscordSimulator,
  plan: readonly PlannedInteraction[],
  options: LoadOptions,
): Promise<LoadResult> {
  const latencies = new Float64Array(plan.length);
  let next = 0;
  let answered = 0;
  let failed = 0;
  let firstFailure: string | null = null;
  const fail = (reason: string): void => {
    failed++;
    firstFailure ??= reason;
  };
  const one = async (planned: PlannedInteraction, index: number): Promise<void> => {
    const started = performance.now();
    try {
      const handle = simulator.sendInteraction({ ...planned, command: 'config', subcommand: 'show', permissions: MANAGE_GUILD });
      const reply = await handle.response(options.timeoutMs ?? 15_000);
      latencies[index] = performance.now() - started;
      if (reply.message?.content === options.expectedReply) answered++;
      else fail(`unexpected reply ${JSON.stringify(reply.message?.content ?? null)}`);
    } catch (error) {
      latencies[index] = Number.NaN;
      fail(error instanceof Error ? error.message : String(error));
    }
  };
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, plan.length) }, async () => {
      for (let index = next++; index < plan.length; index = next++) await one(plan[index]!, index);
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const sorted = latencies.filter((value) => !Number.isNaN(value)).sort();
  return { answered, failed, firstFailure, perSecond: answered / seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}
