import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ClusterReaper, type ReapableCluster } from '../../src/cluster/reaper';

/** A real process that lives until it is killed (what a frozen cluster looks like from outside). */
async function idleChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  return child;
}

async function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.signalCode;
  const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return signal;
}

describe('ClusterReaper', () => {
  const children: ChildProcess[] = [];
  let reaper: ClusterReaper | undefined;

  afterEach(async () => {
    reaper?.stop();
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  it('never kills the process its cluster still runs, however long it lives', async () => {
    const child = await idleChild();
    children.push(child);
    reaper = new ClusterReaper(100, 60_000);
    reaper.track({ thread: { process: child } }, child);
    const start = Date.now();
    reaper.sweep(start);
    reaper.sweep(start + 10_000);
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });

  it('SIGKILLs a process its cluster replaced once the grace period has passed since it was first seen released', async () => {
    const frozen = await idleChild();
    const replacement = await idleChild();
    children.push(frozen, replacement);
    const cluster: { thread: { process: unknown } } = { thread: { process: frozen } };
    reaper = new ClusterReaper(5_000, 60_000);
    reaper.track(cluster, frozen);
    cluster.thread.process = replacement;

    reaper.sweep(1_000); // released from here on
    reaper.sweep(5_999);
    expect(frozen.signalCode).toBeNull();
    reaper.sweep(6_000);
    expect(await exited(frozen)).toBe('SIGKILL');
    expect(replacement.signalCode).toBeNull();
  });

  it('on stop, SIGKILLs the released processes still alive, not the current one nor one already gone', async () => {
    const gone = await idleChild();
    const stuck = await idleChild();
    const current = await idleChild();
    children.push(gone, stuck, current);
    const clusterOfGone: ReapableCluster = { thread: null };
    const clusterOfStuck: ReapableCluster = { thread: { process: current } };
    reaper = new ClusterReaper(60_000, 60_000);
    reaper.track(clusterOfGone, gone);
    reaper.track(clusterOfStuck, stuck);
    reaper.track(clusterOfStuck, current);
    gone.kill('SIGTERM');
    await exited(gone);
    reaper.sweep(0);

    reaper.stop();
    expect(await exited(stuck)).toBe('SIGKILL');
    expect(current.signalCode).toBeNull();
    expect(gone.signalCode).toBe('SIGTERM');
  });
});
