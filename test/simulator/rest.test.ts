import type { DiscordSimulator } from '../../src/simulator';
import { startConnectedSimulator, stopConnectedSimulator, type ConnectedSimulator } from './connected-simulator';
import type { GatewayTestClient } from './gateway-client';

/** The REST routes, called the way discord.js calls them (plain fetch, so every status is visible). */
const BOT_ID = '1100000000000000001';
const PUBLIC_GUILD = {
  id: '1200000000000000001',
  name: 'Public Lounge',
  discoverable: true,
  botInGuild: false,
  features: ['COMMUNITY', 'DISCOVERABLE'],
  memberCount: 5000,
};
const PRIVATE_GUILD = { id: '1200000000000000002', name: 'Private Den', botInGuild: false, memberCount: 12 };
const HOME_GUILD = {
  id: '1200000000000000003',
  name: 'Home',
  memberCount: 321,
  presenceCount: 100,
  channels: [
    { id: '1200000000000000004', name: 'mod-log' },
    // Its own channel bucket (5 posts), for the nonce test.
    { id: '1200000000000000005', name: 'nonces' },
  ],
};
const USER = { id: '1200000000000000010', username: 'ada' };

let simulator: DiscordSimulator;
let gateway: GatewayTestClient;
let connected: ConnectedSimulator | undefined;

async function call(
  method: string,
  path: string,
  options: { body?: unknown; auth?: boolean } = {},
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.auth !== false) headers.authorization = `Bot ${simulator.options.token}`;
  const response = await fetch(`${simulator.apiUrl}/v10${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  connected = await startConnectedSimulator({ guilds: [PUBLIC_GUILD, PRIVATE_GUILD, HOME_GUILD], users: [USER] });
  ({ simulator, gateway } = connected);
});

afterAll(async () => {
  await stopConnectedSimulator(connected);
});

describe('simulator REST API', () => {
  it('refuses bot routes without the bot token, like Discord', async () => {
    expect(await call('GET', '/users/@me', { auth: false })).toEqual({ status: 401, body: { message: '401: Unauthorized', code: 0 } });
    const wrong = await fetch(`${simulator.apiUrl}/v10/users/@me`, { headers: { authorization: 'Bot not-the-token' } });
    expect(wrong.status).toBe(401);
    expect(await call('GET', '/gateway', { auth: false })).toMatchObject({ status: 200, body: { url: simulator.gatewayUrl } });
  });

  it('describes the gateway with max_concurrency', async () => {
    const { body } = await call('GET', '/gateway/bot');
    expect(body).toMatchObject({ url: simulator.gatewayUrl, shards: 1, session_start_limit: { max_concurrency: 16, total: 1000 } });
  });

  it('serves users and answers Unknown User', async () => {
    expect(await call('GET', '/users/@me')).toMatchObject({ status: 200, body: { id: BOT_ID, bot: true } });
    expect(await call('GET', `/users/${USER.id}`)).toMatchObject({
      status: 200,
      body: { id: USER.id, username: 'ada', discriminator: '0' },
    });
    expect(await call('GET', '/users/1200000000000000099')).toEqual({ status: 404, body: { message: 'Unknown User', code: 10013 } });
  });

  it('serves a guild the bot is in, with counts on request; refuses others', async () => {
    const plain = await call('GET', `/guilds/${HOME_GUILD.id}`);
    expect(plain).toMatchObject({ status: 200, body: { id: HOME_GUILD.id, name: 'Home' } });
    expect(plain.body).not.toHaveProperty('approximate_member_count');
    expect(await call('GET', `/guilds/${HOME_GUILD.id}?with_counts=true`)).toMatchObject({
      body: { approximate_member_count: 321, approximate_presence_count: 100 },
    });
    expect(await call('GET', '/guilds/1200000000000000099')).toEqual({ status: 404, body: { message: 'Unknown Guild', code: 10004 } });
    expect(await call('GET', `/guilds/${PRIVATE_GUILD.id}`)).toEqual({ status: 403, body: { message: 'Missing Access', code: 50001 } });
  });

  it('serves the preview of a public guild the bot is not in, not of a private one', async () => {
    expect(await call('GET', `/guilds/${PUBLIC_GUILD.id}/preview`)).toMatchObject({
      status: 200,
      body: { id: PUBLIC_GUILD.id, approximate_member_count: 5000, features: ['COMMUNITY', 'DISCOVERABLE'] },
    });
    expect(await call('GET', `/guilds/${PRIVATE_GUILD.id}/preview`)).toEqual({
      status: 404,
      body: { message: 'Unknown Guild', code: 10004 },
    });
  });

  it('serves members and answers Unknown Member', async () => {
    expect(await call('GET', `/guilds/${HOME_GUILD.id}/members/${BOT_ID}`)).toMatchObject({ status: 200, body: { user: { id: BOT_ID } } });
    expect(await call('GET', `/guilds/${HOME_GUILD.id}/members/${USER.id}`)).toMatchObject({ status: 404, body: { code: 10007 } });
  });

  it('stores channel messages with their embeds and refuses empty or misplaced ones', async () => {
    const channelId = HOME_GUILD.channels[0]!.id;
    const posted = await call('POST', `/channels/${channelId}/messages`, {
      body: { embeds: [{ title: 'Boom', fields: [{ name: 'code', value: 'E42' }] }] },
    });
    expect(posted).toMatchObject({ status: 200, body: { channel_id: channelId, author: { id: BOT_ID }, embeds: [{ title: 'Boom' }] } });
    expect(simulator.messages(channelId)).toEqual([posted.body]);
    expect(await call('POST', `/channels/${channelId}/messages`, { body: {} })).toMatchObject({ status: 400, body: { code: 50006 } });
    expect(await call('POST', '/channels/1200000000000000099/messages', { body: { content: 'x' } })).toMatchObject({
      status: 404,
      body: { code: 10003 },
    });
  });

  it('honours enforce_nonce: a create repeating a recent nonce gets the original message back and stores nothing', async () => {
    const channelId = HOME_GUILD.channels[1]!.id;
    const before = simulator.messages(channelId).length;
    const create = (nonce: string, enforce: boolean) =>
      call('POST', `/channels/${channelId}/messages`, { body: { content: `nonce ${nonce}`, nonce, enforce_nonce: enforce } });
    const first = await create('err-NONC0001', true);
    expect(first).toMatchObject({ status: 200, body: { nonce: 'err-NONC0001', content: 'nonce err-NONC0001' } });
    expect(await create('err-NONC0001', true)).toEqual(first);
    // Without enforce_nonce the nonce is only echoed: a second message.
    const unenforced = await create('err-NONC0001', false);
    expect(unenforced).toMatchObject({ status: 200, body: { nonce: 'err-NONC0001' } });
    expect((unenforced.body as { id: string }).id).not.toBe((first.body as { id: string }).id);
    expect(simulator.messages(channelId).length - before).toBe(2);
    expect(await create('x'.repeat(26), true)).toMatchObject({
      status: 400,
      body: { code: 50035, errors: { nonce: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } },
    });
  });

  it('reads message content from multipart payload_json, as discord.js sends files', async () => {
    const channelId = HOME_GUILD.channels[0]!.id;
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'with a file' }));
    form.append('files[0]', new Blob(['stack trace']), 'trace.txt');
    const response = await fetch(`${simulator.apiUrl}/v10/channels/${channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${simulator.options.token}` },
      body: form,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ content: 'with a file', attachments: [{ filename: 'trace.txt', size: 11 }] });
  });

  it('stores command registrations, keeping IDs across overwrites', async () => {
    const commands = [
      { name: 'ping', description: 'Ping' },
      { name: 'config', description: 'Configure', options: [] },
    ];
    const first = await call('PUT', `/applications/${BOT_ID}/commands`, { body: commands });
    expect(first.status).toBe(200);
    const again = await call('PUT', `/applications/${BOT_ID}/commands`, { body: commands });
    expect((again.body as { id: string }[]).map((command) => command.id)).toEqual(
      (first.body as { id: string }[]).map((command) => command.id),
    );
    const guild = await call('PUT', `/applications/${BOT_ID}/guilds/${HOME_GUILD.id}/commands`, {
      body: [{ name: 'debug', description: 'Dev only' }],
    });
    expect(guild.body).toMatchObject([{ name: 'debug', guild_id: HOME_GUILD.id, application_id: BOT_ID }]);
    expect(simulator.registeredCommands().global.map((command) => command.name)).toEqual(['ping', 'config']);
    expect(simulator.registeredCommands().guilds[HOME_GUILD.id]?.map((command) => command.name)).toEqual(['debug']);
    // An interaction for a registered command carries its ID.
    const handle = simulator.sendInteraction({ user: USER.id, guildId: HOME_GUILD.id, command: 'ping' });
    expect(handle.payload.data.id).toBe((first.body as { id: string }[])[0]!.id);
  });

  it('records unknown routes so a test can see what the bot called', async () => {
    expect(await call('GET', '/guilds/1200000000000000003/audit-logs')).toEqual({
      status: 404,
      body: { message: '404: Not Found', code: 0 },
    });
    expect(simulator.unknownRequests().map((request) => `${request.method} ${request.path}`)).toContain(
      'GET /api/v10/guilds/1200000000000000003/audit-logs',
    );
  });

  it('enforces interaction callback rules: no auth needed, one callback, follow-ups after it', async () => {
    const handle = simulator.sendInteraction({ user: USER.id, guildId: HOME_GUILD.id, command: 'ping' });
    await gateway.waitForDispatch('INTERACTION_CREATE', (d) => (d as { id: string }).id === handle.id);
    const callback = `/interactions/${handle.id}/${handle.token}/callback`;
    expect(
      await call('POST', `/webhooks/${BOT_ID}/${handle.token}?wait=true`, { auth: false, body: { content: 'too early' } }),
    ).toMatchObject({ status: 404, body: { code: 10015 } });
    expect(
      await call('POST', `/interactions/${handle.id}/wrong-token/callback`, { auth: false, body: { type: 4, data: { content: 'x' } } }),
    ).toMatchObject({ status: 404, body: { code: 10062 } });
    const answered = await call('POST', `${callback}?with_response=true`, {
      auth: false,
      body: { type: 4, data: { content: 'hi', flags: 64 } },
    });
    expect(answered).toMatchObject({
      status: 200,
      body: { interaction: { id: handle.id, response_message_ephemeral: true }, resource: { type: 4, message: { content: 'hi' } } },
    });
    expect(await call('POST', callback, { auth: false, body: { type: 4, data: { content: 'again' } } })).toMatchObject({
      status: 400,
      body: { code: 40060 },
    });
    expect(await handle.response()).toMatchObject({ type: 4, ephemeral: true, message: { content: 'hi' } });
    const followUp = await call('POST', `/webhooks/${BOT_ID}/${handle.token}?wait=true`, { auth: false, body: { content: 'more' } });
    expect(followUp).toMatchObject({ status: 200, body: { content: 'more', webhook_id: BOT_ID } });
    expect(await call('GET', `/webhooks/${BOT_ID}/${handle.token}/messages/@original`, { auth: false })).toMatchObject({
      status: 200,
      body: { content: 'hi' },
    });
    // Ephemeral answers are not in the channel's history.
    expect(simulator.messages(HOME_GUILD.channels[0]!.id).some((message) => message.content === 'hi')).toBe(false);
  });
});
