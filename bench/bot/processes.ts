import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface ResidentMemory {
  /** Resident now (VmRSS). */
  rssBytes: number;
  /** The most it has been resident (VmHWM): start-up's GUILD_CREATE bursts included. */
  peakBytes: number;
}

/** Resident memory of a process, from Linux's `/proc/<pid>/status`. */
export async function residentMemory(pid: number): Promise<ResidentMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
    if (!match?.[1]) throw new Error(`no ${field} for process ${pid}`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kB('VmRSS'), peakBytes: kB('VmHWM') };
}

/** Forks `file` with `env` added and resolves once it sends `'ready'`; rejects if it exits first or after `timeoutMs`. */
export function forkUntilReady(file: string, env: Record<string, string>, timeoutMs: number): Promise<ChildProcess> {
  const child = fork(file, [], { env: { ...process.env, ...env }, execArgv: [] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${file} not ready within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('exit', (code) => fail(new Error(`${file} exited (${code}) before it was ready`)));
    child.on('message', (message) => {
      if (message !== 'ready') return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(child);
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
