import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBoardApp } from '../../src/board/app';
import { createWorkerConnection } from '../../src/queues/connection';
import { QUEUE_NAMES } from '../../src/queues/names';
import { createQueues, type ModdyQueues } from '../../src/queues/queues';
import { deletePrefix } from '../helpers/pipeline-fixture';
import { TEST_REDIS_URL, testPrefix } from '../helpers/services';

/** A raw request: unlike fetch, node:http lets the test choose the Host header, as a rebound page would send it. */
function request(
  port: number,
  options: { path: string; method?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port, path: options.path, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('board request guards', () => {
  const redis = createWorkerConnection(TEST_REDIS_URL);
  const prefix = testPrefix('board_guards');
  let queues: ModdyQueues;
  const servers: Server[] = [];

  async function listen(app: ReturnType<typeof createBoardApp>): Promise<number> {
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    servers.push(server);
    return (server.address() as AddressInfo).port;
  }

  beforeAll(async () => {
    queues = createQueues({ connection: redis, prefix });
    await queues.discordLog.add('log', { errorCode: 'AAAA0002' } as never, { jobId: 'AAAA0002' });
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await queues.close();
    await deletePrefix(prefix);
    redis.disconnect();
  });

  it('an open board answers its loopback names only: a rebound DNS name can neither read nor change jobs', async () => {
    const port = await listen(createBoardApp({ host: '127.0.0.1', queues: queues.all() }));
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect((await request(port, { path: '/api/queues', headers: { host } })).status).toBe(200);
    }
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, 'localhost.evil.example']) {
      expect((await request(port, { path: '/api/queues', headers: { host } })).status).toBe(421);
      const clean = await request(port, { path: `/api/queues/${QUEUE_NAMES.discordLog}/clean/waiting`, method: 'PUT', headers: { host } });
      expect(clean.status).toBe(421);
    }
    expect(await queues.discordLog.getWaitingCount()).toBe(1);
  });

  it('refuses cross-site writes even with remembered credentials', async () => {
    const port = await listen(createBoardApp({ host: '0.0.0.0', queues: queues.all(), credentials: { user: 'ops', password: 'pw' } }));
    const authorization = basic('ops', 'pw');
    const host = `board.internal:${port}`;
    const path = `/api/queues/${QUEUE_NAMES.discordLog}/clean/waiting`;
    expect((await request(port, { path, method: 'PUT', headers: { host, authorization, origin: 'https://evil.example' } })).status).toBe(
      403,
    );
    expect((await request(port, { path, method: 'PUT', headers: { host, authorization, 'sec-fetch-site': 'cross-site' } })).status).toBe(
      403,
    );
    expect(await queues.discordLog.getWaitingCount()).toBe(1);
    // Reading from another name is allowed when credentials are required.
    expect((await request(port, { path: '/api/queues', headers: { host, authorization } })).status).toBe(200);
  });

  it('accepts a Basic header with extra spaces, refuses a malformed one', async () => {
    const port = await listen(createBoardApp({ host: '127.0.0.1', queues: queues.all(), credentials: { user: 'ops', password: 'pw' } }));
    const encoded = Buffer.from('ops:pw').toString('base64');
    expect((await request(port, { path: '/api/queues', headers: { authorization: `Basic  ${encoded}` } })).status).toBe(200);
    expect((await request(port, { path: '/api/queues', headers: { authorization: `basic ${encoded} ` } })).status).toBe(200);
    expect((await request(port, { path: '/api/queues', headers: { authorization: `Basic ${encoded} extra` } })).status).toBe(401);
    expect((await request(port, { path: '/api/queues', headers: { authorization: `Bearer ${encoded}` } })).status).toBe(401);
  });
});
