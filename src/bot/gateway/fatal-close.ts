/**
 * A gateway close discord.js does not come back from: it destroys the shard for good (its
 * `UNRECOVERABLE_CLOSE_CODES`), leaving the process up with the shard off. `restartable`: a new
 * process may connect (Discord's sharding or API changed, a count agreed anew); otherwise only an
 * operator can fix it (the token, the intents), and restarting would only spend session starts.
 */
export interface FatalClose {
  code: number;
  /** Discord's name of the code. */
  name: string;
  restartable: boolean;
  /** What the operator must do. */
  fix: string;
}

const FATAL_CLOSES: Readonly<Record<number, Omit<FatalClose, 'code'>>> = {
  4004: {
    name: 'Authentication failed',
    restartable: false,
    fix: 'the token is invalid or was reset: set DISCORD_TOKEN to the token of the Developer Portal (Bot → Reset Token), then restart the bot',
  },
  4010: {
    name: 'Invalid shard',
    restartable: true,
    fix: 'Discord refused the shard ID or count: check TOTAL_SHARDS and HOST_SHARDS/HOST_INDEX (npm run doctor)',
  },
  4011: {
    name: 'Sharding required',
    restartable: true,
    fix: 'Discord wants more shards: set TOTAL_SHARDS=auto or at least the count npm run doctor recommends, then restart every host',
  },
  4012: {
    name: 'Invalid API version',
    restartable: true,
    fix: 'Discord no longer accepts the gateway API version of discord.js: upgrade discord.js',
  },
  4013: {
    name: 'Invalid intents',
    restartable: false,
    fix: 'the client sends intents Discord does not define: fix the intents in src/bot/client.ts and deploy',
  },
  4014: {
    name: 'Disallowed intents',
    restartable: false,
    fix: 'a privileged intent is not enabled for the application: enable it in the Developer Portal (Bot → Privileged Gateway Intents) or remove it from src/bot/client.ts, then restart the bot',
  },
};

/** `Discord closed shard 3 with 4014 (Disallowed intents)`: the words every log and health line about it starts with. */
export function describeFatalClose(close: FatalClose, shard: number): string {
  return `Discord closed shard ${shard} with ${close.code} (${close.name})`;
}

/** The fatal close a code stands for, or null for a code discord.js reconnects from. */
export function fatalCloseOf(code: number): FatalClose | null {
  const close = FATAL_CLOSES[code];
  return close ? { code, ...close } : null;
}
