import { REST } from '@discordjs/rest';
import pino from 'pino';
import { DiscordSimulator, type RateLimitOptions } from '../../src/simulator';

/** Discord's REST rate limits: headers, per-route buckets by major parameter, global, invalid requests. */
const GUILDS = [
  { id: '1200000000000000001', name: 'One', channels: [{ id: '1200000000000000011', name: 'general' }] },
  { id: '1200000000000000002', name: 'Two', channels: [{ id: '1200000000000000012', name: 'general' }] },
];
const [CHANNEL_A, CHANNEL_B] = GUILDS.map((guild) => guild.channels[0]!.id) as [string, string];
const USER = { id: '1200000000000000099', username: 'ada' };
const started: DiscordSimulator[] = [];

async function simulatorWith(rateLimits?: RateLimitOptions | false): Promise<DiscordSimulator> {
  const simulator = new DiscordSimulator({ guilds: GUILDS, users: [USER], rateLimits, logger: pino({ level: 'silent' }) });
  await simulator.start();
  started.push(simulator);
  return simulator;
}

function post(simulator: DiscordSimulator, channelId: string, token = simulator.options.token): Promise<Response> {
  return fetch(`${simulator.apiUrl}/v10/channels/${channelId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bot ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content: 'hi' }),
  });
}

afterAll(async () => {
  await Promise.all(started.map((simulator) => simulator.stop()));
});

describe('simulator rate limits', () => {
  it('limits channel messages to 5 per 5 s per channel, with Discord’s headers and 429 body', async () => {
    const simulator = await simulatorWith();
    const answers = [];
    for (let index = 0; index < 6; index++) answers.push(await post(simulator, CHANNEL_A));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429]);
    const first = answers[0]!.headers;
    expect(first.get('x-ratelimit-limit')).toBe('5');
    expect(first.get('x-ratelimit-remaining')).toBe('4');
    expect(first.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(first.get('x-ratelimit-reset-after'))).toBeGreaterThan(4);
    expect(Number(first.get('x-ratelimit-reset')) * 1000).toBeGreaterThan(Date.now());
    const refused = answers[5]!;
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-scope')).toBe('user');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('content-type')).toBe('application/json');
    const body = (await refused.json()) as { retry_after: number; global: boolean; message: string };
    expect(body).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(5);
    // Another channel is another bucket (its major parameter), with the same bucket hash.
    const other = await post(simulator, CHANNEL_B);
    expect(other.status).toBe(200);
    expect(other.headers.get('x-ratelimit-bucket')).toBe(first.get('x-ratelimit-bucket'));
    expect(simulator.messages(CHANNEL_A)).toHaveLength(5);
    expect(simulator.rateLimitRefusals()).toMatchObject({ user: 1, global: 0 });
  });

  it('applies the global limit across routes, but not to interaction callbacks', async () => {
    const simulator = await simulatorWith({ global: { limit: 10, windowMs: 60_000 }, defaultRoute: null });
    const statuses = [];
    for (let index = 0; index < 11; index++) {
      statuses.push(
        (await fetch(`${simulator.apiUrl}/v10/users/${USER.id}`, { headers: { authorization: `Bot ${simulator.options.token}` } })).status,
      );
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const refused = await fetch(`${simulator.apiUrl}/v10/guilds/${GUILDS[0]!.id}`, {
      headers: { authorization: `Bot ${simulator.options.token}` },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-global')).toBe('true');
    expect(refused.headers.get('x-ratelimit-scope')).toBe('global');
    expect(await refused.json()).toMatchObject({ global: true });
    // Interaction endpoints are outside the global limit: a bad token still gets its real answer.
    const callback = await fetch(`${simulator.apiUrl}/v10/interactions/1/token/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":1}',
    });
    expect(callback.status).toBe(404);
  });

  it('bans an address after too many invalid requests, with Cloudflare’s plain answer', async () => {
    const simulator = await simulatorWith({ invalidRequests: { limit: 3, windowMs: 60_000 }, invalidRequestBanMs: 60_000 });
    const unauthorized = () => fetch(`${simulator.apiUrl}/v10/users/@me`, { headers: { authorization: 'Bot wrong' } });
    for (let index = 0; index < 4; index++) expect((await unauthorized()).status).toBe(401);
    const banned = await fetch(`${simulator.apiUrl}/v10/gateway`);
    expect(banned.status).toBe(429);
    expect(await banned.text()).toBe('error code: 1015');
    expect(Number(banned.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(simulator.rateLimitRefusals()).toMatchObject({ banned: 1 });
  });

  it('gives injected 429s Discord’s body and headers', async () => {
    const simulator = await simulatorWith(false);
    simulator.failRequests({ method: 'GET', path: `/users/${USER.id}`, status: 429, retryAfterMs: 2500 });
    const answer = await fetch(`${simulator.apiUrl}/v10/users/${USER.id}`, {
      headers: { authorization: `Bot ${simulator.options.token}` },
    });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('3');
    expect(answer.headers.get('x-ratelimit-scope')).toBe('user');
    expect(await answer.json()).toEqual({ message: 'You are being rate limited.', retry_after: 2.5, global: false, code: 0 });
  });

  it('makes @discordjs/rest wait out the bucket instead of flooding', async () => {
    const simulator = await simulatorWith({ routes: { 'POST /channels/:id/messages': { limit: 2, windowMs: 1000 } } });
    const rest = new REST({ api: simulator.apiUrl, retries: 0 }).setToken(simulator.options.token);
    await Promise.all(
      Array.from({ length: 6 }, (_, index) => rest.post(`/channels/${CHANNEL_A}/messages`, { body: { content: `m${index}` } })),
    );
    expect(simulator.messages(CHANNEL_A)).toHaveLength(6);
    const posts = simulator.requests().filter((request) => request.method === 'POST');
    // It learns the bucket from the headers: at most the one request that discovers the limit is refused.
    expect(posts.filter((request) => request.status === 429).length).toBeLessThanOrEqual(1);
    const span = posts.at(-1)!.at - posts[0]!.at;
    expect(span).toBeGreaterThanOrEqual(1900);
  });
});
