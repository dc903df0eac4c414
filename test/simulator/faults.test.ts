import pino from 'pino';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';

describe('simulator fault injection', () => {
  const simulator = new DiscordSimulator({
    logger: pino({ level: 'silent' }),
    users: [{ id: '1300000000000000001', username: 'otter' }],
    guilds: [{ id: '1300000000000000010', name: 'Faults', channels: [{ id: '1300000000000000011', name: 'log' }] }],
  });

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

  it('drops the answer of a request it served (the message is stored), for the number of requests asked', async () => {
    const path = '/channels/1300000000000000011/messages';
    simulator.failRequests({ method: 'POST', path, dropResponse: true, times: 1 });
    const post = () =>
      fetch(`${simulator.apiUrl}/v10${path}`, {
        method: 'POST',
        headers: { Authorization: `Bot ${DEV_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ content: 'accepted, unanswered' }),
      });
    await expect(post()).rejects.toThrow();
    expect(simulator.messages('1300000000000000011').map((message) => message.content)).toEqual(['accepted, unanswered']);
    // The rule was for one request: the next one is answered.
    expect((await post()).status).toBe(200);
    expect(simulator.messages('1300000000000000011')).toHaveLength(2);
  });
});
