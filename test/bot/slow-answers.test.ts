import { Events, MessageFlags, type Client } from 'discord.js';
import pino from 'pino';
import { createBotClient } from '../../src/bot/client';
import { translator } from '../../src/bot/i18n';
import { InFlight } from '../../src/bot/in-flight';
import type { ModdyDatabase } from '../../src/db/api';
import { DEV_TOKEN, DiscordSimulator } from '../../src/simulator';
import { eventually } from '../helpers/eventually';
import { openBotFixture, type BotFixture } from './fixture';
import { RecordingTracker } from './recording-tracker';

const GUILD = '1620000000000000001';
const ADMIN = '1630000000000000001';
const MANAGE_GUILD = String(1 << 5);
/** Shorter than Discord's 3 s so the test is quick; the bot defers well inside it. */
const RESPONSE_WINDOW_MS = 600;
const AUTO_DEFER_MS = 150;

/** The data API whose interaction read waits until the test releases it: a database that stalls. */
function stalling(db: ModdyDatabase): { db: ModdyDatabase; release(): void; hold(): void; stalled(): boolean } {
  let waiting: (() => void)[] = [];
  let held = true;
  const proxy = new Proxy(db, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (property !== 'beginInteraction') return method;
      return async (...args: unknown[]) => {
        if (held) await new Promise<void>((resolve) => waiting.push(resolve));
        return method(...args);
      };
    },
  });
  return {
    db: proxy,
    stalled: () => waiting.length > 0,
    hold() {
      held = true;
    },
    release() {
      held = false;
      for (const resume of waiting) resume();
      waiting = [];
    },
  };
}

describe('an interaction slower than Discord allows', () => {
  let fixture: BotFixture;
  let simulator: DiscordSimulator;
  let client: Client;
  let stall: ReturnType<typeof stalling>;
  /** What every test sends: an administrator's `/config show`, which reads the stalled database. */
  const sendConfigShow = () =>
    simulator.sendInteraction({ guildId: GUILD, user: ADMIN, permissions: MANAGE_GUILD, command: 'config', subcommand: 'show' });
  const inFlight = new InFlight();

  beforeAll(async () => {
    fixture = await openBotFixture('bot_slow');
    stall = stalling(fixture.db);
    simulator = new DiscordSimulator({
      logger: pino({ level: 'silent' }),
      interactionResponseWindowMs: RESPONSE_WINDOW_MS,
      users: [{ id: ADMIN, username: 'admin' }],
      guilds: [{ id: GUILD, name: 'Slow Guild', ownerId: ADMIN, members: [{ userId: ADMIN }] }],
    });
    await simulator.start();
    client = createBotClient({
      apiUrl: simulator.apiUrl,
      db: stall.db,
      tracker: new RecordingTracker(),
      logger: pino({ level: 'silent' }),
      redis: fixture.redis,
      cachePrefix: fixture.prefix,
      ownerIds: [],
      autoDeferMs: AUTO_DEFER_MS,
      inFlight,
    });
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(DEV_TOKEN);
    await ready;
  });

  afterAll(async () => {
    stall.release();
    await client.destroy();
    await simulator.stop();
    await fixture.cleanup();
  });

  it('is deferred inside the window, then answered once the database answers', async () => {
    const handle = sendConfigShow();
    // Hold the database past the whole response window: only a deferral made in time keeps the interaction alive.
    await new Promise((resolve) => setTimeout(resolve, RESPONSE_WINDOW_MS + 100));
    expect(stall.stalled()).toBe(true);
    expect(handle.callbacks().map((callback) => callback.type)).toEqual([5]);
    stall.release();
    const reply = await handle.response();
    expect(reply.deferred).toBe(true);
    expect(reply.ephemeral).toBe(true);
    expect(reply.message?.content).toContain(translator('EN')('config.show', { prefix: '' }).split('\n')[0]);
    expect(((reply.message?.flags ?? 0) & MessageFlags.Ephemeral) !== 0).toBe(true);
  });

  it('a shutdown waits for a running interaction: it finishes and answers before the client would be destroyed', async () => {
    stall.hold();
    const handle = sendConfigShow();
    await eventually(() => stall.stalled(), 5000, 5);
    let settled: boolean | undefined;
    const settling = inFlight.settle(10_000).then((all) => (settled = all));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBeUndefined();
    stall.release();
    expect(await settling).toBe(true);
    expect(handle.callbacks().length).toBeGreaterThan(0);
    expect((await handle.response()).message?.content).toContain(translator('EN')('config.show', { prefix: '' }).split('\n')[0]);
  });

  it('a shutdown stops waiting for a handler that outlasts its deadline', async () => {
    stall.hold();
    sendConfigShow();
    await eventually(() => stall.stalled(), 5000, 5);
    expect(await inFlight.settle(50)).toBe(false);
    stall.release();
    expect(await inFlight.settle(10_000)).toBe(true);
  });
});
