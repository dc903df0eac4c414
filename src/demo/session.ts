import { translator } from '../bot/i18n';
import type { DiscordSimulator, SendInteractionOptions } from '../simulator';
import type { DemoCast } from './world';

const MANAGE_GUILD = String(1n << 5n);
const en = translator('EN');
const fr = translator('FR');

export interface SessionStep {
  title: string;
  reply: string;
  ok: boolean;
}

/**
 * The scripted session of `npm run demo`: slash commands sent through the local Discord, the
 * bot's answers checked and printed as they come.
 */
export async function playSession(simulator: DiscordSimulator, cast: DemoCast, print: (step: SessionStep) => void): Promise<SessionStep[]> {
  const steps: SessionStep[] = [];
  const send = async (options: Partial<SendInteractionOptions> & Pick<SendInteractionOptions, 'user' | 'command'>): Promise<string> => {
    const reply = await simulator.sendInteraction({ guildId: cast.guildA, ...options }).response(15_000);
    return (
      reply.message?.content ?? (reply.message?.embeds ?? []).map((embed) => `${embed.title ?? ''} ${embed.description ?? ''}`).join(' ')
    );
  };
  const step = async (title: string, run: () => Promise<string>, expect: (reply: string) => boolean): Promise<string> => {
    const reply = await run().catch((error: unknown) => `(no answer: ${error instanceof Error ? error.message : String(error)})`);
    const done = { title, reply, ok: expect(reply) };
    steps.push(done);
    print(done);
    return reply;
  };
  const lookupGuild = (id: string, user = cast.member, guildId = cast.guildA) =>
    send({ user, guildId, command: 'guild', subcommand: 'lookup', options: { id } });

  await step(
    '/guild lookup of a guild the bot is in (asks Discord, stores it)',
    () => lookupGuild(cast.guildB),
    (r) => r.includes('Lunar Workshop'),
  );
  await step(
    '/guild lookup again (answered from guilds_cache)',
    () => lookupGuild(cast.guildB),
    (r) => r.includes('Lunar Workshop'),
  );
  await step(
    '/guild lookup of a public guild the bot is not in (guild preview)',
    () => lookupGuild(cast.publicGuild),
    (r) => r.includes('Speedrun Central'),
  );
  await step(
    '/guild lookup of a private guild (a clear answer, no error code)',
    () => lookupGuild(cast.privateGuild),
    (r) => r === en('guild.lookup.notFound', { id: cast.privateGuild }),
  );
  await step(
    '/user lookup (Discord once, then the shared Redis cache)',
    () => send({ user: cast.member, command: 'user', subcommand: 'lookup', options: { id: cast.admin } }),
    (r) => r.includes('server_admin'),
  );

  await step(
    '/config prefix without Manage Server (refused)',
    () => send({ user: cast.member, command: 'config', subcommand: 'prefix', options: { value: '?' } }),
    (r) => r === en('refusal.manageGuild'),
  );
  await step(
    '/config prefix ? by a server admin',
    () => send({ user: cast.admin, permissions: MANAGE_GUILD, command: 'config', subcommand: 'prefix', options: { value: '?' } }),
    (r) => r === en('config.prefix.set', { prefix: '?' }),
  );
  await step(
    '/config show',
    () => send({ user: cast.admin, permissions: MANAGE_GUILD, command: 'config', subcommand: 'show' }),
    (r) => r.includes('Prefix: `?`') || r.includes('Prefix: ?'),
  );

  await step(
    '/dev stats by a non-developer (refused and logged)',
    () => send({ user: cast.member, command: 'dev', subcommand: 'stats' }),
    (r) => r === en('refusal.developer'),
  );
  await step(
    '/dev attribute set LANG=FR on guild A, sent through the other cluster (guild B)',
    () =>
      send({
        user: cast.owner,
        guildId: cast.guildB,
        command: 'dev',
        subcommandGroup: 'attribute',
        subcommand: 'set',
        options: { target: 'guild', id: cast.guildA, name: 'LANG', value: 'FR', reason: 'French community' },
      }),
    (r) => r.includes('LANG'),
  );
  await step(
    'the first cluster now answers in French in guild A',
    () => lookupGuild(cast.privateGuild),
    (r) => r === fr('guild.lookup.notFound', { id: cast.privateGuild }),
  );

  await step(
    '/dev blacklist the spammer (through guild B)',
    () =>
      send({
        user: cast.owner,
        guildId: cast.guildB,
        command: 'dev',
        subcommand: 'blacklist',
        options: { user: cast.spammer, reason: 'spam' },
      }),
    (r) => r === en('dev.blacklist.added', { id: cast.spammer }),
  );
  await step(
    'the spammer is refused in guild A, on the other cluster',
    () => lookupGuild(cast.guildB, cast.spammer),
    (r) => r === fr('refusal.blacklisted'),
  );

  const restore = simulator.failRequests({ method: 'GET', path: `/users/${cast.owner}`, status: 500 });
  let failure: string;
  try {
    failure = await step(
      '/user lookup while Discord answers 500 (the user gets an error code)',
      () => send({ user: cast.admin, guildId: cast.guildB, command: 'user', subcommand: 'lookup', options: { id: cast.owner } }),
      (r) => /`[0-9A-Z]{8}`/.test(r),
    );
  } finally {
    restore();
  }
  const code = /`([0-9A-Z]{8})`/.exec(failure)?.[1];
  if (code) {
    await step(
      `the error log channel receives ${code}`,
      async () => {
        const message = await simulator.waitForMessage(cast.logChannel, (m) => JSON.stringify(m.embeds).includes(code), 20_000);
        return message.embeds[0]?.title ?? JSON.stringify(message.embeds[0]);
      },
      (r) => r.length > 0,
    );
    await step(
      `/dev error ${code.toLowerCase()} (typed in lower case) resolves it`,
      async () => {
        // The persistence worker stores it within a moment: ask until it is there.
        const deadline = Date.now() + 15_000;
        for (;;) {
          const reply = await send({
            user: cast.owner,
            guildId: cast.hq,
            command: 'dev',
            subcommand: 'error',
            options: { code: code.toLowerCase() },
          });
          if (reply.includes(code) || Date.now() > deadline) return reply;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      },
      (r) => r.includes(code) && r.includes('user lookup'),
    );
  }
  return steps;
}
