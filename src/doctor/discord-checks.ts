import { PermissionFlagsBits } from 'discord.js';
import { HostShareError, hostShareFrom, resolveHostShards } from '../cluster/host-shards';
import { breaksSessionStartFloor } from '../cluster/session-start-floor';
import type { Config } from '../config';
import { channelPermissions, type Overwrite } from './channel-permissions';
import { CheckFailed, checkGroup, fail, pass, type CheckResult } from './check';

/** What the Discord checks learnt, for the connection budget. */
export interface DiscordFacts {
  /** Shards the bot will run: TOTAL_SHARDS, or Discord's recommendation for `auto`. */
  shards?: number;
}

/** What the error log posts need in its channel. */
const LOG_CHANNEL_NEEDS = [
  ['View Channel', PermissionFlagsBits.ViewChannel],
  ['Send Messages', PermissionFlagsBits.SendMessages],
  ['Embed Links', PermissionFlagsBits.EmbedLinks],
] as const;

class DiscordAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

/**
 * Discord, through its REST API (`DISCORD_API_URL`): the token (`/users/@me`), the application ID,
 * `/gateway/bot` (shards, session starts left) and the error-log channel with the bot's
 * permissions there. The token is sent to Discord only, never printed.
 */
export async function checkDiscord(config: Config, facts: DiscordFacts): Promise<CheckResult[]> {
  const token = config.DISCORD_TOKEN;
  if (!token)
    return [
      fail('Discord token', 'DISCORD_TOKEN is not set', 'set DISCORD_TOKEN (Developer Portal → your application → Bot → Reset Token)'),
    ];
  const base = `${config.DISCORD_API_URL.replace(/\/$/, '')}/v10`;
  const get = async <T>(route: string): Promise<T> => {
    const response = await fetch(`${base}${route}`, { headers: { authorization: `Bot ${token}` }, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new DiscordAnswer(response.status, (await response.text()).slice(0, 200));
    return (await response.json()) as T;
  };
  return checkGroup('Discord', `check that ${config.DISCORD_API_URL} answers (DISCORD_API_URL)`, async (report) => {
    const user = await get<{ id: string; username: string }>('/users/@me').catch((error: unknown) => {
      if (error instanceof DiscordAnswer && error.status === 401) {
        throw new CheckFailed(
          fail(
            'Discord token',
            'rejected by Discord (401)',
            'reset the token in the Developer Portal (Bot → Reset Token) and set DISCORD_TOKEN',
          ),
        );
      }
      throw error;
    });
    report(pass('Discord token', `valid: bot ${user.username} (${user.id})`));

    const application = await get<{ id: string }>('/applications/@me');
    if (!config.DISCORD_APPLICATION_ID) {
      report(
        fail(
          'Discord application ID',
          `DISCORD_APPLICATION_ID is not set (the token's application is ${application.id})`,
          `set DISCORD_APPLICATION_ID=${application.id}`,
        ),
      );
    } else {
      report(
        application.id === config.DISCORD_APPLICATION_ID
          ? pass('Discord application ID', application.id)
          : fail(
              'Discord application ID',
              `DISCORD_APPLICATION_ID is ${config.DISCORD_APPLICATION_ID}, the token belongs to ${application.id}`,
              `set DISCORD_APPLICATION_ID=${application.id}, or use this application's token`,
            ),
      );
    }

    const gateway = await get<{
      shards: number;
      session_start_limit: { total: number; remaining: number; reset_after: number; max_concurrency: number };
    }>('/gateway/bot');
    const shards = config.TOTAL_SHARDS === 'auto' ? gateway.shards : config.TOTAL_SHARDS;
    facts.shards = shards;
    report(
      shards >= gateway.shards
        ? pass('Discord shards', `${shards} (TOTAL_SHARDS=${config.TOTAL_SHARDS}; Discord recommends ${gateway.shards})`)
        : fail(
            'Discord shards',
            `TOTAL_SHARDS=${shards}, Discord recommends ${gateway.shards}`,
            `set TOTAL_SHARDS=auto or at least ${gateway.shards}`,
          ),
    );
    report(checkSessionStarts(config, shards, gateway.session_start_limit));

    report(await checkLogChannel(config.ERROR_LOG_CHANNEL_ID, user.id, get));
  });
}

/**
 * The manager's own rule (`breaksSessionStartFloor`): starting this host's shards (its
 * `HOST_SHARDS`/`HOST_INDEX` share of the fleet, not the whole fleet) must leave
 * `DISCORD_SESSION_START_FLOOR` session starts unspent.
 */
function checkSessionStarts(
  config: Config,
  fleetShards: number,
  limit: { total: number; remaining: number; reset_after: number; max_concurrency: number },
): CheckResult {
  const name = 'Discord session starts';
  let hostShards: number;
  try {
    hostShards = resolveHostShards(hostShareFrom(config), fleetShards).length;
  } catch (error) {
    if (error instanceof HostShareError) return fail(name, error.message, 'fix HOST_SHARDS, or HOST_INDEX and HOST_COUNT');
    throw error;
  }
  const floor = config.DISCORD_SESSION_START_FLOOR;
  const starts = `${limit.remaining} of ${limit.total} left (reset in ${Math.ceil(limit.reset_after / 60_000)} min), max_concurrency ${limit.max_concurrency}`;
  const detail = `${starts}; this host starts ${hostShards} of ${fleetShards} shard(s), DISCORD_SESSION_START_FLOOR=${floor}`;
  const sessionLimit = { total: limit.total, remaining: limit.remaining, resetAfterMs: limit.reset_after };
  if (limit.remaining < hostShards)
    return fail(
      name,
      `${detail}: not enough to start this host's shards`,
      'wait for the reset before (re)starting the bot; avoid restart loops',
    );
  if (breaksSessionStartFloor(sessionLimit, hostShards, floor))
    return fail(
      name,
      `${detail}: starting would leave ${limit.remaining - hostShards}, under the floor, so the manager refuses to start`,
      'wait for the reset, or lower DISCORD_SESSION_START_FLOOR to spend the reserve',
    );
  return pass(name, detail);
}

async function checkLogChannel(channelId: string | undefined, botId: string, get: <T>(route: string) => Promise<T>): Promise<CheckResult> {
  const name = 'error-log channel';
  if (!channelId)
    return fail(
      name,
      'ERROR_LOG_CHANNEL_ID is not set: errors are never posted',
      'set ERROR_LOG_CHANNEL_ID to a channel of your server (Developer Mode → Copy Channel ID)',
    );
  try {
    const channel = await get<{ id: string; name?: string; guild_id?: string; permission_overwrites?: Overwrite[] }>(
      `/channels/${channelId}`,
    );
    if (!channel.guild_id)
      return fail(name, `${channelId} is not a server channel`, 'set ERROR_LOG_CHANNEL_ID to a text channel of a server the bot is in');
    const guild = await get<{ id: string; owner_id: string; roles: { id: string; permissions: string }[] }>(`/guilds/${channel.guild_id}`);
    const member = await get<{ roles: string[] }>(`/guilds/${channel.guild_id}/members/${botId}`);
    const permissions = channelPermissions({
      guildId: guild.id,
      ownerId: guild.owner_id,
      roles: guild.roles,
      member: { userId: botId, roles: member.roles },
      overwrites: channel.permission_overwrites ?? [],
    });
    const missing = LOG_CHANNEL_NEEDS.filter(([, bit]) => (permissions & bit) === 0n).map(([label]) => label);
    return missing.length === 0
      ? pass(name, `#${channel.name ?? channelId}: View Channel, Send Messages, Embed Links`)
      : fail(
          name,
          `#${channel.name ?? channelId}: missing ${missing.join(', ')}`,
          `give the bot's role ${missing.join(', ')} in that channel`,
        );
  } catch (error) {
    if (error instanceof DiscordAnswer && (error.status === 404 || error.status === 403)) {
      return fail(
        name,
        `${channelId}: ${error.status === 404 ? 'unknown channel' : 'no access'} (${error.status})`,
        'invite the bot to that server and let it see the channel, or fix ERROR_LOG_CHANNEL_ID',
      );
    }
    throw error;
  }
}
