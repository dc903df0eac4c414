import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { BoardAuthRequiredError, resolveBoardAccess } from '../../src/board/access';
import { createBoardApp } from '../../src/board/app';
import { createWorkerConnection } from '../../src/queues/connection';
import { QUEUE_NAMES } from '../../src/queues/names';
import { createQueues, type ModdyQueues } from '../../src/queues/queues';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';
import { deletePrefix } from '../errors/pipeline-fixture';

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
      // The supervisor's probe needs no credentials.
      expect((await fetch(`${url}/health`)).status).toBe(200);
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
    expect(() => resolveBoardAccess('192.168.1.5', 'ops', undefined)).toThrow(BoardAuthRequiredError);
    expect(resolveBoardAccess('127.0.0.1', undefined, undefined)).toBeUndefined();
    expect(resolveBoardAccess('::1', undefined, undefined)).toBeUndefined();
    expect(resolveBoardAccess('0.0.0.0', 'ops', 'pw')).toEqual({ user: 'ops', password: 'pw' });
  });

  it('the real entry exits with an error on 0.0.0.0 without credentials', async () => {
    const root = path.resolve(__dirname, '../..');
    const child = spawn(process.execPath, ['-r', path.join(root, 'test/workers/ts-register.cjs'), path.join(root, 'src/board/cli.ts')], {
      cwd: root,
      env: { ...withoutCredentials(process.env), BOARD_HOST: '0.0.0.0', BOARD_PORT: '0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('beyond loopback: set BOARD_USER and BOARD_PASSWORD');
  });
});
