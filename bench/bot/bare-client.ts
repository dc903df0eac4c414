import { Client, Events, GatewayIntentBits, MessageFlags } from 'discord.js';

/**
 * The bench's baseline, one process per cluster as Moddy runs: a bare discord.js client (default
 * caches, the `Guilds` intent as Moddy) that answers every slash command with a constant ephemeral
 * text. Started by `bare.ts` with its shards in the environment; tells the parent when ready.
 */
function main(): void {
  const env = (name: string): string => {
    const value = process.env[name];
    if (value === undefined) throw new Error(`bare client: ${name} is not set`);
    return value;
  };
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: env('BENCH_API_URL') },
    shards: env('BENCH_SHARDS').split(',').map(Number),
    shardCount: Number(env('BENCH_SHARD_COUNT')),
  });
  const reply = env('BENCH_REPLY');
  client.on(Events.InteractionCreate, (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    interaction.reply({ content: reply, allowedMentions: { parse: [] }, flags: MessageFlags.Ephemeral }).catch((error: unknown) => {
      console.error('bare client: reply failed', error);
    });
  });
  client.once(Events.ClientReady, () => process.send?.('ready'));
  // The parent going away ends this process too.
  process.once('disconnect', () => process.exit(0));
  client.login(env('BENCH_TOKEN')).catch((error: unknown) => {
    console.error('bare client: login failed', error);
    process.exit(1);
  });
}

main();
