import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { BoardAuthRequiredError, BoardCredentialsIncompleteError, resolveBoardAccess } from '../../src/board/access';
import { createBoardApp } from '../../src/board/app';
import { MetricsRegistry } from '../../src/observability/metrics';
import { createWorkerConnection } from '../../src/queues/connection';
import { jobCounts } from '../../src/queues/job-counts';
import { QUEUE_NAMES } from '../../src/queues/names';
import { createQueues, type ModdyQueues } from '../../src/queues/queues';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { deletePrefix } from '../helpers/pipeline-fixture';
import { parseExposition } from '../helpers/prometheus';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/redis-process';

const credentials = { user: 'ops', password: 'correct horse' };
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function withoutCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { BOARD_USER: _user, BOARD_PASSWORD: _password, ...rest } = env;
  return rest;
}

async function listen(app: ReturnType<typeof createBoardApp>): Promise<{ url: string; server: Server }> {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

describe('queue board', () => {
  const redis = createWorkerConnection(TEST_REDIS_URL);
  const prefix = testPrefix('board');
  let queues: ModdyQueues;

  beforeAll(async () => {
    queues = createQueues({ connection: redis, prefix });
    await queues.discordLog.add('log', { errorCode: 'AAAA0001' } as never, { jobId: 'AAAA0001' });
  });

  afterAll(async () => {
    await queues.close();
    await deletePrefix(prefix);
    redis.disconnect();
  });

  it('asks for credentials, then lists every queue of the project', async () => {
    const { url, server } = await listen(createBoardApp({ host: '127.0.0.1', queues: queues.all(), credentials }));
    try {
      const anonymous = await fetch(`${url}/api/queues`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
      expect((await fetch(`${url}/api/queues`, { headers: { authorization: basic('ops', 'wrong') } })).status).toBe(401);
      expect((await fetch(`${url}/`)).status).toBe(401);

      const authorised = await fetch(`${url}/api/queues`, { headers: { authorization: basic(credentials.user, credentials.password) } });
      expect(authorised.status).toBe(200);
      const body = (await authorised.json()) as { queues: { name: string; readOnlyMode: boolean; counts: Record<string, number> }[] };
      expect(body.queues.map((queue) => queue.name).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
      expect(body.queues.find((queue) => queue.name === QUEUE_NAMES.discordLog)?.counts.waiting).toBe(1);
      expect(body.queues.every((queue) => !queue.readOnlyMode)).toBe(true);

      const ui = await fetch(`${url}/`, { headers: { authorization: basic(credentials.user, credentials.password) } });
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('<html');
      // The supervisor's probes need no credentials.
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/ready`)).status).toBe(200);
    } finally {
      await close(server);
    }
  });

  it('runs read-only: queues are flagged and actions refused', async () => {
    const { url, server } = await listen(createBoardApp({ host: '127.0.0.1', queues: queues.all(), readOnly: true }));
    try {
      const body = (await (await fetch(`${url}/api/queues`)).json()) as { queues: { name: string; readOnlyMode: boolean }[] };
      expect(body.queues.every((queue) => queue.readOnlyMode)).toBe(true);
      const clean = await fetch(`${url}/api/queues/${QUEUE_NAMES.discordLog}/clean/waiting`, { method: 'PUT' });
      expect(clean.status).toBeGreaterThanOrEqual(400);
      expect(await queues.discordLog.getWaitingCount()).toBe(1);
    } finally {
      await close(server);
    }
  });

  it('refuses to listen beyond loopback without credentials', () => {
    expect(() => resolveBoardAccess('0.0.0.0', undefined, undefined)).toThrow(BoardAuthRequiredError);
    expect(() => resolveBoardAccess('192.168.1.5', undefined, undefined)).toThrow(BoardAuthRequiredError);
    expect(resolveBoardAccess('127.0.0.1', undefined, undefined)).toBeUndefined();
    expect(resolveBoardAccess('::1', undefined, undefined)).toBeUndefined();
    expect(resolveBoardAccess('0.0.0.0', 'ops', 'pw')).toEqual({ user: 'ops', password: 'pw' });
  });

  it('refuses a user without a password, or the reverse, even on loopback', () => {
    expect(() => resolveBoardAccess('127.0.0.1', 'ops', undefined)).toThrow(BoardCredentialsIncompleteError);
    expect(() => resolveBoardAccess('0.0.0.0', 'ops', undefined)).toThrow(BoardCredentialsIncompleteError);
    expect(() => resolveBoardAccess('127.0.0.1', undefined, 'pw')).toThrow(/BOARD_USER is not set but BOARD_PASSWORD is/);
  });

  const startEntry = (env: NodeJS.ProcessEnv) => {
    const root = path.resolve(__dirname, '../..');
    return spawn(process.execPath, ['-r', path.join(root, 'test/helpers/ts-register.cjs'), path.join(root, 'src/board/board-cli.ts')], {
      cwd: root,
      env: { ...withoutCredentials(process.env), BOARD_PORT: '0', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  };

  /** Runs the real entry to its exit and returns its exit code and stderr. */
  async function runEntry(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
    const child = startEntry(env);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, stderr };
  }

  it('the real entry exits with an error on 0.0.0.0 without credentials', async () => {
    const { code, stderr } = await runEntry({ BOARD_HOST: '0.0.0.0' });
    expect(code).toBe(1);
    expect(stderr).toContain('beyond loopback: set BOARD_USER and BOARD_PASSWORD');
  });

  it('the real entry exits with an error for a user without a password', async () => {
    const { code, stderr } = await runEntry({ BOARD_HOST: '127.0.0.1', BOARD_USER: 'ops' });
    expect(code).toBe(1);
    expect(stderr).toContain('BOARD_PASSWORD is not set but BOARD_USER is');
  });

  it('the real entry serves /metrics: every queue of its prefix, its process, typed as Prometheus expects', async () => {
    const port = await freePort();
    const child = startEntry({ BOARD_HOST: '127.0.0.1', BOARD_PORT: String(port), REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.status === 200, 30_000);
      const exposition = parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      expect(exposition.types.get('moddy_queue_jobs')).toBe('gauge');
      expect(exposition.types.get('moddy_process_cpu_seconds_total')).toBe('counter');
      expect(exposition.find('moddy_queue_jobs', { role: 'board', queue: QUEUE_NAMES.discordLog, state: 'waiting' })[0]?.value).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('serves /health (liveness), /ready (its check) and /metrics without credentials, the UI only with them', async () => {
    const metrics = new MetricsRegistry('board');
    metrics.queues(() => jobCounts(queues.all()));
    let redisUp = true;
    const readyCheck = async () => {
      if (!redisUp) throw new Error('Redis is down');
    };
    const { url, server } = await listen(createBoardApp({ host: '127.0.0.1', queues: queues.all(), credentials, metrics, readyCheck }));
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      redisUp = false;
      const notReady = await fetch(`${url}/ready`);
      expect(notReady.status).toBe(503);
      expect(await notReady.text()).toContain('Redis is down');
      // Liveness does not depend on Redis: restarting the board would not bring Redis back.
      expect((await fetch(`${url}/health`)).status).toBe(200);

      const scrape = await fetch(`${url}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toContain('text/plain');
      const exposition = parseExposition(await scrape.text());
      expect(exposition.types.get('moddy_queue_jobs')).toBe('gauge');
      expect(exposition.types.get('moddy_process_resident_memory_bytes')).toBe('gauge');
      expect(exposition.find('moddy_queue_jobs', { role: 'board', queue: QUEUE_NAMES.discordLog, state: 'waiting' })[0]?.value).toBe(1);
      expect(new Set(exposition.find('moddy_queue_jobs').map((sample) => sample.labels.queue))).toEqual(
        new Set(Object.values(QUEUE_NAMES)),
      );
      expect((await fetch(`${url}/api/queues`)).status).toBe(401);
    } finally {
      await close(server);
    }
  });
});
