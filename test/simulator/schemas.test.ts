import type { DiscordSimulator } from '../../src/simulator';
import { identifyRoute } from '../../src/simulator/rate-limits/routes';
import { SUCCESS_SCHEMAS, schemaFor } from './discord-schemas';
import { startConnectedSimulator, stopConnectedSimulator, type ConnectedSimulator } from './connected-simulator';
import type { GatewayTestClient } from './gateway-client';

/**
 * Every REST response the simulator can give, checked against Discord's published schemas: a
 * payload that drifts from Discord's shapes fails here. Also the HTTP details other clients rely on.
 */
const BOT_ID = '1100000000000000001';
const HOME = {
  id: '1200000000000000003',
  name: 'Home',
  memberCount: 321,
  features: ['COMMUNITY'],
  channels: [{ id: '1200000000000000004', name: 'general' }],
};
const PUBLIC = { id: '1200000000000000001', name: 'Public', discoverable: true, botInGuild: false, features: ['DISCOVERABLE'] };
const PRIVATE = { id: '1200000000000000002', name: 'Private', botInGuild: false };
const USER = { id: '1200000000000000010', username: 'ada' };
const CHANNEL = HOME.channels[0]!.id;

interface Recorded {
  route: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

let simulator: DiscordSimulator;
let gateway: GatewayTestClient;
let connected: ConnectedSimulator | undefined;
const responses: Recorded[] = [];

async function call(method: string, path: string, options: { body?: unknown; raw?: string; auth?: boolean } = {}): Promise<Recorded> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.auth !== false) headers.authorization = `Bot ${simulator.options.token}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${simulator.apiUrl}/v10${path}`, { method, headers, body });
  const text = await response.text();
  const recorded = {
    route: identifyRoute(method, new URL(path, 'http://x').pathname).route,
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
  responses.push(recorded);
  return recorded;
}

beforeAll(async () => {
  connected = await startConnectedSimulator({
    guilds: [HOME, PUBLIC, PRIVATE],
    users: [USER],
    // Generous, except one route that the test drives into a 429.
    rateLimits: {
      global: { limit: 1000, windowMs: 1000 },
      defaultRoute: { limit: 100, windowMs: 1000 },
      routes: { 'POST /channels/:id/messages': null, 'GET /users/:id': { limit: 3, windowMs: 60_000 } },
    },
  });
  ({ simulator, gateway } = connected);
});

afterAll(async () => {
  await stopConnectedSimulator(connected);
});

/** An interaction the bot answers with `type`, and its callback answer. */
async function interaction(type: number, guildId?: string): Promise<{ id: string; token: string }> {
  const handle = simulator.sendInteraction({ user: USER.id, guildId, command: 'ping' });
  await gateway.waitForDispatch('INTERACTION_CREATE', (d) => (d as { id: string }).id === handle.id);
  await call('POST', `/interactions/${handle.id}/${handle.token}/callback?with_response=true`, {
    auth: false,
    body: { type, data: type === 4 ? { content: `hi <@${USER.id}>`, embeds: [{ title: 'E' }] } : {} },
  });
  return handle;
}

describe('simulator responses against Discord’s published schemas', () => {
  it('gives schema-valid answers on every route, success and error', async () => {
    await call('GET', '/gateway', { auth: false });
    await call('GET', '/gateway/', { auth: false });
    await call('GET', '/gateway/bot');
    await call('GET', '/users/@me');
    await call('GET', '/users/@me/guilds?with_counts=true');
    await call('GET', `/users/${USER.id}`);
    await call('GET', '/users/1200000000000000099');
    await call('GET', '/applications/@me');
    await call('GET', `/guilds/${HOME.id}?with_counts=true`);
    await call('GET', `/guilds/${HOME.id}`);
    await call('GET', '/guilds/1200000000000000099');
    await call('GET', `/guilds/${PRIVATE.id}`);
    await call('GET', `/guilds/${PUBLIC.id}/preview`);
    await call('GET', `/guilds/${PRIVATE.id}/preview`);
    await call('GET', `/guilds/${HOME.id}/channels`);
    await call('GET', `/guilds/${HOME.id}/members/${BOT_ID}`);
    await call('GET', `/guilds/${HOME.id}/members/1200000000000000099`);
    await call('GET', `/channels/${CHANNEL}`);
    await call('GET', '/channels/1200000000000000099');
    await call('POST', `/channels/${CHANNEL}/messages`, {
      body: { content: `hello <@${USER.id}>`, embeds: [{ title: 'Boom', fields: [{ name: 'a', value: 'b' }] }] },
    });
    await call('POST', `/channels/${CHANNEL}/messages`, { body: {} });
    await call('POST', `/channels/${CHANNEL}/messages`, { body: { content: 'x'.repeat(2001) } });
    await call('POST', `/channels/${CHANNEL}/messages`, { raw: '{"content": ' });
    await call('GET', `/channels/${CHANNEL}/messages?limit=1`);
    await call('GET', `/channels/${CHANNEL}/messages?limit=500`);

    const commands = [{ name: 'ping', description: 'Ping', options: [{ type: 3, name: 'text', description: 'Text', required: true }] }];
    await call('PUT', `/applications/${BOT_ID}/commands`, { body: commands });
    await call('PUT', `/applications/${BOT_ID}/commands`, { body: [{ name: 'Bad Name', description: '' }] });
    await call('GET', `/applications/${BOT_ID}/commands`);
    await call('PUT', `/applications/${BOT_ID}/guilds/${HOME.id}/commands`, { body: [{ name: 'debug', description: 'Dev' }] });
    await call('GET', `/applications/${BOT_ID}/guilds/${HOME.id}/commands`);

    const replied = await interaction(4, HOME.id);
    const webhook = `/webhooks/${BOT_ID}/${replied.token}`;
    const followUp = await call('POST', `${webhook}?wait=true`, { auth: false, body: { content: 'more' } });
    const followUpId = (followUp.body as { id: string }).id;
    await call('POST', webhook, { auth: false, body: { content: 'no wait' } });
    await call('GET', `${webhook}/messages/@original`, { auth: false });
    await call('PATCH', `${webhook}/messages/@original`, { auth: false, body: { content: 'edited' } });
    await call('GET', `${webhook}/messages/${followUpId}`, { auth: false });
    await call('PATCH', `${webhook}/messages/${followUpId}`, { auth: false, body: { content: 'edited more' } });
    await call('DELETE', `${webhook}/messages/${followUpId}`, { auth: false });
    await call('DELETE', `${webhook}/messages/%40original`, { auth: false });
    await call('GET', `${webhook}/messages/%40original`, { auth: false });
    await call('POST', `/interactions/${replied.id}/${replied.token}/callback`, {
      auth: false,
      body: { type: 4, data: { content: 'again' } },
    });
    await interaction(5, HOME.id);
    await interaction(4);

    await call('GET', '/users/@me', { auth: false });
    await call('GET', '/guilds/1200000000000000003/audit-logs', { auth: false });
    await call('GET', `/users/${USER.id}`);
    await call('GET', `/users/${USER.id}`);
    simulator.failRequests({ method: 'GET', path: '/users/@me/guilds', status: 429, retryAfterMs: 1500, scope: 'global' });
    await call('GET', '/users/@me/guilds');

    const failures = responses.flatMap((response) => {
      if (response.status === 204) return response.body === undefined ? [] : [{ ...response, problem: '204 with a body' }];
      if (response.contentType !== 'application/json') return [{ ...response, problem: `Content-Type ${response.contentType}` }];
      const schema = schemaFor(response.route, response.status, response.body);
      if (!schema) return [{ ...response, problem: 'no schema for this route' }];
      const result = schema.safeParse(response.body);
      return result.success
        ? []
        : [
            {
              route: response.route,
              status: response.status,
              problem: result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
            },
          ];
    });
    expect(failures).toEqual([]);
    const statuses = new Set(responses.map((response) => response.status));
    expect([...statuses].sort()).toEqual([200, 204, 400, 401, 403, 404, 429]);
    const succeeded = new Set(responses.filter((response) => response.status < 300).map((response) => response.route));
    expect(Object.keys(SUCCESS_SCHEMAS).filter((route) => !succeeded.has(route))).toEqual([]);
  });

  it('answers like Discord where other clients look closely', async () => {
    expect(await call('GET', '/gateway/', { auth: false })).toMatchObject({
      status: 200,
      contentType: 'application/json',
      body: { url: simulator.gatewayUrl },
    });
    const posted = await call('POST', `/channels/${CHANNEL}/messages`, {
      body: { content: `hey <@${USER.id}> <@&${HOME.id}>`, embeds: [{ title: 'T', fields: [{ name: 'a', value: 'b' }] }] },
    });
    expect(posted.body).toMatchObject({
      mentions: [{ id: USER.id }],
      mention_roles: [HOME.id],
      embeds: [{ type: 'rich', fields: [{ inline: false }] }],
    });
    expect(await call('POST', `/channels/${CHANNEL}/messages`, { raw: '{' })).toMatchObject({ status: 400, body: { code: 50109 } });
    expect(await call('POST', `/channels/${CHANNEL}/messages`, { body: { content: 'x'.repeat(2001) } })).toMatchObject({
      status: 400,
      body: { code: 50035, message: 'Invalid Form Body', errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } },
    });
    const invalid = await call('PUT', `/applications/${BOT_ID}/commands`, {
      body: [
        {
          name: 'ok',
          description: 'ok',
          options: [
            { type: 3, name: 'a', description: 'a' },
            { type: 3, name: 'b', description: 'b', required: true },
          ],
        },
      ],
    });
    expect(invalid).toMatchObject({
      status: 400,
      body: {
        code: 50035,
        errors: { 0: { options: { 1: { required: { _errors: [{ code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID' }] } } } } },
      },
    });
    await call('POST', `/channels/${CHANNEL}/messages`, { body: { content: 'newest' } });
    const page = await call('GET', `/channels/${CHANNEL}/messages?limit=2`);
    expect((page.body as { content: string }[]).map((message) => message.content)).toEqual(['newest', expect.stringContaining('hey')]);
    const before = await call('GET', `/channels/${CHANNEL}/messages?limit=1&before=${(page.body as { id: string }[])[1]!.id}`);
    expect((before.body as unknown[]).length).toBe(1);
    expect(await call('GET', '/no/such/route', { auth: false })).toMatchObject({ status: 404, body: { code: 0 } });
    expect(await call('POST', `/webhooks/${BOT_ID}/some-token/unknown`, { auth: false })).toMatchObject({ status: 404 });

    const replied = await interaction(4, HOME.id);
    expect(await call('DELETE', `/webhooks/${BOT_ID}/${replied.token}/messages/%40original`, { auth: false })).toMatchObject({
      status: 204,
    });
    expect(await call('GET', `/webhooks/${BOT_ID}/${replied.token}/messages/@original`, { auth: false })).toMatchObject({
      status: 404,
      body: { code: 10008 },
    });
  });
});
