import type { ClusterClient } from 'discord-hybrid-sharding';
import { Events, type Client } from 'discord.js';
import { describeFatalClose, fatalCloseOf, type FatalClose } from '../bot/gateway/fatal-close';
import { ipcPayload } from './cluster-report';

/** Exit code of a cluster stopped by a gateway close a restart cannot fix (sysexits' EX_CONFIG): its manager does not respawn it. */
export const EXIT_FATAL_CLOSE = 78;

/** What a cluster tells its manager before it exits on a fatal close. */
export interface FatalCloseReport extends FatalClose {
  shard: number;
}

const REPORT_KEY = 'moddyFatalClose';

/**
 * Ends the cluster when Discord closes one of its shards with a code discord.js never reconnects
 * from, instead of running on with the shard silently off: tells the manager which shard and why,
 * then exits non-zero: 1 when a new process may get past it (the manager respawns it with its
 * backoff), `EXIT_FATAL_CLOSE` when only the operator can fix it.
 */
export function exitOnFatalClose(client: Client, cluster: ClusterClient<Client>, stop: (reason: string, exitCode: number) => void): void {
  client.on(Events.ShardDisconnect, (event, shard) => {
    const fatal = fatalCloseOf(event.code);
    if (!fatal) return;
    const report: FatalCloseReport = { ...fatal, shard };
    // Queued before the stop, which closes the client, the pipeline and the database before the
    // exit: the manager has the cause when the process ends.
    void Promise.resolve(cluster.send({ [REPORT_KEY]: report })).catch(() => undefined);
    // At once: a login this close makes fail must find the stop under way (cluster-entry.ts).
    stop(describeFatalClose(fatal, shard), fatal.restartable ? 1 : EXIT_FATAL_CLOSE);
  });
}

/** The fatal close carried by an IPC message from a cluster, if it is one. */
export function readFatalCloseReport(message: unknown): FatalCloseReport | null {
  const raw = ipcPayload(message);
  if (typeof raw !== 'object' || raw === null || !(REPORT_KEY in raw)) return null;
  const report = (raw as Record<string, unknown>)[REPORT_KEY] as Partial<FatalCloseReport> | undefined;
  if (typeof report?.code !== 'number' || typeof report.shard !== 'number') return null;
  const known = fatalCloseOf(report.code);
  return known ? { ...known, shard: report.shard } : null;
}
