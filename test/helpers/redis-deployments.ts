import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ClusterTarget, RedisTarget, SentinelTarget, SingleNodeTarget } from '../../src/redis';
import { ask, freePort, ServerProcess } from './redis-launch';
import { eventually } from './eventually';

const run = promisify(execFile);

/**
 * Servers of a test's (or a benchmark's) own on free ports, in a temporary directory; `stop()` kills
 * them and removes it. No jest here: `npm run bench -- redis-modes` starts the same deployments.
 */
abstract class Deployment<T extends RedisTarget> {
  protected readonly servers: ServerProcess[] = [];

  protected constructor(readonly dir: string) {}

  abstract get target(): T;

  protected async serve(command: string, port: number, args: string[]): Promise<ServerProcess> {
    const server = new ServerProcess(port, command, args);
    this.servers.push(server);
    await server.start();
    return server;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.kill()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** `stop()` for a process 'exit' handler: kills without waiting (the directory is left to the OS's tmp cleanup). */
  killNow(): void {
    for (const server of this.servers) server.killNow();
  }
}

const dataNodeArgs = (port: number): string[] => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];

/** One node, started as the others are (no persistence): the baseline a benchmark compares a cluster with. */
export class SingleNodeDeployment extends Deployment<SingleNodeTarget> {
  private url = '';

  static async start(): Promise<SingleNodeDeployment> {
    const deployment = new SingleNodeDeployment(fs.mkdtempSync(path.join(os.tmpdir(), 'moddy-redis-single-')));
    try {
      const port = await freePort();
      deployment.url = (await deployment.serve('redis-server', port, [...dataNodeArgs(port), '--dir', deployment.dir])).url;
      return deployment;
    } catch (error) {
      await deployment.stop();
      throw error;
    }
  }

  get target(): SingleNodeTarget {
    return { mode: 'single', url: this.url };
  }
}

/** A 3-master Redis Cluster without replicas (`redis-cli --cluster create`). */
export class ClusterDeployment extends Deployment<ClusterTarget> {
  static async start(): Promise<ClusterDeployment> {
    const deployment = new ClusterDeployment(fs.mkdtempSync(path.join(os.tmpdir(), 'moddy-redis-cluster-')));
    try {
      const ports = [await freePort(), await freePort(), await freePort()];
      for (const port of ports) {
        await deployment.serve('redis-server', port, [
          ...dataNodeArgs(port),
          '--dir',
          deployment.dir,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(deployment.dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '2000',
        ]);
      }
      await run('redis-cli', [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      await deployment.waitHealthy();
      return deployment;
    } catch (error) {
      await deployment.stop();
      throw error;
    }
  }

  get target(): ClusterTarget {
    return { mode: 'cluster', nodes: this.servers.map((server) => ({ host: '127.0.0.1', port: server.port })) };
  }

  get masters(): readonly ServerProcess[] {
    return this.servers;
  }

  /** Every node sees every slot served. */
  async waitHealthy(): Promise<void> {
    await eventually(async () => {
      const states = await Promise.all(this.servers.map((server) => ask(server.port, 'CLUSTER', 'INFO').catch(() => '')));
      return states.every((state) => String(state).includes('cluster_state:ok'));
    }, 20_000);
  }
}

/** A master, its replica and one sentinel (quorum 1) with short timeouts. */
export class SentinelDeployment extends Deployment<SentinelTarget> {
  static readonly NAME = 'mymaster';
  private sentinelPort = 0;

  static async start(): Promise<SentinelDeployment> {
    const deployment = new SentinelDeployment(fs.mkdtempSync(path.join(os.tmpdir(), 'moddy-redis-sentinel-')));
    try {
      const [master, replica, sentinel] = [await freePort(), await freePort(), await freePort()];
      await deployment.serve('redis-server', master, dataNodeArgs(master));
      await deployment.serve('redis-server', replica, [...dataNodeArgs(replica), '--replicaof', '127.0.0.1', String(master)]);
      const conf = path.join(deployment.dir, 'sentinel.conf');
      fs.writeFileSync(
        conf,
        [
          `port ${sentinel}`,
          'bind 127.0.0.1',
          `dir ${deployment.dir}`,
          `sentinel monitor ${SentinelDeployment.NAME} 127.0.0.1 ${master} 1`,
          `sentinel down-after-milliseconds ${SentinelDeployment.NAME} 1000`,
          `sentinel failover-timeout ${SentinelDeployment.NAME} 5000`,
          `sentinel parallel-syncs ${SentinelDeployment.NAME} 1`,
          '',
        ].join('\n'),
      );
      deployment.sentinelPort = sentinel;
      await deployment.serve('redis-server', sentinel, [conf, '--sentinel']);
      await deployment.waitReplicated();
      return deployment;
    } catch (error) {
      await deployment.stop();
      throw error;
    }
  }

  get target(): SentinelTarget {
    return { mode: 'sentinel', sentinels: [{ host: '127.0.0.1', port: this.sentinelPort }], name: SentinelDeployment.NAME };
  }

  /** The port the sentinel names as master now. */
  async masterPort(): Promise<number> {
    const address = (await ask(this.sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SentinelDeployment.NAME)) as [string, string];
    return Number(address[1]);
  }

  /** The sentinel knows a replica whose link to the master is up: a failover can pick it. */
  async waitReplicated(): Promise<void> {
    await eventually(async () => {
      const replicas = (await ask(this.sentinelPort, 'SENTINEL', 'REPLICAS', SentinelDeployment.NAME).catch(() => [])) as string[][];
      return replicas.some((fields) => fields.join(' ').includes('master-link-status ok') && !fields.join(' ').includes('s_down'));
    }, 20_000);
  }

  /** `SENTINEL FAILOVER`: the replica becomes master, the old master its replica. Resolves once the sentinel names the new one. */
  async failover(): Promise<{ from: number; to: number }> {
    const from = await this.masterPort();
    await ask(this.sentinelPort, 'SENTINEL', 'FAILOVER', SentinelDeployment.NAME);
    const to = await eventually(async () => {
      const port = await this.masterPort();
      return port !== from ? port : null;
    }, 20_000);
    return { from, to };
  }
}
