import pino from 'pino';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';

describe('simulator fault injection', () => {
  const simulator = new DiscordSimulator({ logger: pino({ level: 'silent' }), users: [{ id: '1300000000000000001', username: 'otter' }] });

  beforeAll(async () => {
    await simulator.start();
  });

  afterAll(async () => {
    await simulator.stop();
  });

  const getUser = () => fetch(`${simulator.apiUrl}/v10/users/1300000000000000001`, { headers: { Authorization: `Bot ${DEV_TOKEN}` } });

  it('answers matching requests with the chosen status until the fault is removed', async () => {
    const restore = simulator.failRequests({ method: 'GET', path: /^\/users\/\d+$/, status: 503 });
    const failed = await getUser();
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ code: 0 });
    expect((await fetch(`${simulator.apiUrl}/v10/gateway`)).status).toBe(200);

    restore();
    const answered = await getUser();
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ username: 'otter' });
  });
});
