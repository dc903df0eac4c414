import type { Config } from '../config';
import { checkBoard } from './board-checks';
import type { CheckResult } from './check';
import { checkConfig } from './config-checks';
import { checkDiscord, type DiscordFacts } from './discord-checks';
import { checkPostgres } from './postgres-checks';
import { checkRedis } from './redis-checks';

/** Every check of `npm run doctor`, in the table's order; the configuration first (nothing else runs without it). */
export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  const { config, results } = checkConfig(env);
  if (!config) return results;
  const facts: DiscordFacts = { shards: config.TOTAL_SHARDS === 'auto' ? undefined : config.TOTAL_SHARDS };
  const [redis, discord] = await Promise.all([checkRedis(config), checkDiscord(config, facts)]);
  const clusters = facts.shards === undefined ? undefined : Math.ceil(facts.shards / config.SHARDS_PER_CLUSTER);
  const postgres = await checkPostgres(config, { clusters });
  return [...results, ...postgres, ...redis, ...discord, checkBoard(config)];
}

/** What must never appear in the output: the token, passwords, URL credentials. */
export function secretsOf(config: Partial<Config>): string[] {
  const urlPassword = (url: string | undefined) => {
    if (!url) return '';
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : '';
  };
  return [
    config.DISCORD_TOKEN,
    config.BOARD_PASSWORD,
    urlPassword(config.DATABASE_URL),
    urlPassword(config.REDIS_URL),
    config.REDIS_PASSWORD,
    config.REDIS_SENTINEL_PASSWORD,
  ].filter((secret): secret is string => Boolean(secret));
}
