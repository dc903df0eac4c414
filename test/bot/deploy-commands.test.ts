import { RateLimitError } from '@discordjs/rest';
import pino from 'pino';
import { deployCommands } from '../../src/bot/deploy-commands';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';
import { eventually } from '../helpers/eventually';

const DEV_GUILD = '1700000000000000001';

describe('deploy-commands', () => {
  const simulator = new DiscordSimulator({ logger: pino({ level: 'silent' }), guilds: [{ id: DEV_GUILD, name: 'Dev' }] });

  beforeAll(async () => {
    await simulator.start();
  });

  afterAll(async () => {
    await simulator.stop();
  });

  const names = (commands: { name: string }[] | undefined) => (commands ?? []).map((command) => command.name).sort();
  const options = () => ({ token: DEV_TOKEN, applicationId: simulator.options.applicationId, apiUrl: simulator.apiUrl });

  it('registers every command in the development guild only when one is given', async () => {
    expect(await deployCommands({ ...options(), guildId: DEV_GUILD })).toBe(4);
    const registered = simulator.registeredCommands();
    expect(names(registered.guilds[DEV_GUILD])).toEqual(['config', 'dev', 'guild', 'user']);
    expect(registered.global).toEqual([]);
  });

  it('registers them globally otherwise, replacing what was there', async () => {
    expect(await deployCommands(options())).toBe(4);
    expect(await deployCommands(options())).toBe(4);
    const config = simulator.registeredCommands().global.find((command) => command.name === 'config');
    expect(names(simulator.registeredCommands().global)).toEqual(['config', 'dev', 'guild', 'user']);
    // Discord hides /config from members without Manage Server (the dispatcher checks it anyway).
    expect(config?.default_member_permissions).toBe(String(1 << 5));
  });

  const commandPuts = () =>
    simulator
      .requests()
      .filter((request) => request.method === 'PUT' && request.path === `/applications/${simulator.options.applicationId}/commands`);

  it("waits out a 429's retry_after, then registers with one more request", async () => {
    const before = commandPuts().length;
    const restore = simulator.failRequests({
      method: 'PUT',
      path: `/applications/${simulator.options.applicationId}/commands`,
      status: 429,
      retryAfterMs: 1000,
    });
    const deployed = deployCommands(options());
    await eventually(() => commandPuts().length > before);
    restore();
    expect(await deployed).toBe(4);
    const puts = commandPuts().slice(before);
    expect(puts.map((request) => request.status)).toEqual([429, 200]);
    expect((puts[1]?.at ?? 0) - (puts[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('gives up at once with the wait when Discord asks for longer than it should wait', async () => {
    const before = commandPuts().length;
    const restore = simulator.failRequests({
      method: 'PUT',
      path: `/applications/${simulator.options.applicationId}/commands`,
      status: 429,
      retryAfterMs: 3_600_000,
    });
    try {
      const failure = deployCommands(options()).catch((error: unknown) => error);
      const error = await failure;
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).retryAfter).toBeGreaterThanOrEqual(3_600_000);
      expect(commandPuts().length - before).toBe(1);
    } finally {
      restore();
    }
  });
});
