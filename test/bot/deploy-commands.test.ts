import pino from 'pino';
import { deployCommands } from '../../src/bot/deploy-commands';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';

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
});
