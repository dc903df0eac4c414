import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import Redis from 'ioredis';
import { eventually } from './eventually';

/*
 * Starting and stopping redis-server processes on spare ports. Node and ioredis only (no jest, no
 * src): the tests and the benchmarks (`npm run bench -- redis-modes`) share it.
 */

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether a server answers PING at `url` now. */
export async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    // A socket still connecting when it is dropped would otherwise hold the process for ioredis' 2 s default.
    disconnectTimeout: 50,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** SIGKILL (its connections drop at once), then waits for the exit. */
export async function killServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** Asks one server something with a short-lived connection. */
export async function ask(port: number, ...command: [string, ...string[]]): Promise<unknown> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    return await client.call(...command);
  } finally {
    client.disconnect();
  }
}

/** One server process, restartable with the same arguments (a cluster node keeps its nodes.conf). */
export class ServerProcess {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly command: string,
    private readonly args: string[],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(this.command, this.args, { stdio: 'ignore' });
    await eventually(() => answers(this.url), 10_000);
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await killServer(child);
  }

  /** SIGSTOP: the server hangs with its connections open, like an overloaded Redis (SIGKILL still ends it). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** SIGCONT after `pause()`. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGKILL without waiting: for a process 'exit' handler, where nothing asynchronous runs any more. */
  killNow(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }
}
