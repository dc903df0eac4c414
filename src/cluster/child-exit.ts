import type { ChildProcess } from 'node:child_process';

export function hasExited(child: ChildProcess): boolean {
  // Set by Node on exit even when the 'exit' listeners were removed (hybrid-sharding's kill() removes them).
  return child.exitCode !== null || child.signalCode !== null;
}

/** Waits for a child to exit; past `timeoutMs` it is killed with SIGKILL. */
export async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (hasExited(child)) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
