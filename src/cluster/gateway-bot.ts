import { ModdyError } from '../core/moddy-error';

/** What `GET /gateway/bot` tells the manager: Discord's recommended shard count and identify concurrency. */
export interface GatewayBotInfo {
  shards: number;
  maxConcurrency: number;
  /** `session_start_limit`: IDENTIFYs Discord allows per day, those left, and when the count resets. */
  sessionStarts: SessionStartLimit;
}

export interface SessionStartLimit {
  total: number;
  remaining: number;
  resetAfterMs: number;
}

export class GatewayInfoError extends ModdyError {
  readonly code = 'GATEWAY_INFO_UNAVAILABLE';
}

/**
 * Asks `GET /gateway/bot` on `apiUrl` (hybrid-sharding's own 'auto' would call a hard-coded
 * discord.com instead of `DISCORD_API_URL`).
 */
export async function fetchGatewayBot(apiUrl: string, token: string, timeoutMs = 10_000): Promise<GatewayBotInfo> {
  const url = `${apiUrl.replace(/\/+$/, '')}/v10/gateway/bot`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { Authorization: `Bot ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new GatewayInfoError(`GET ${url} failed: ${String(error)}`, { cause: error });
  }
  if (!response.ok) throw new GatewayInfoError(`GET ${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  const body = (await response.json()) as { shards?: unknown; session_start_limit?: Record<string, unknown> };
  const shards = body.shards;
  const limit = body.session_start_limit ?? {};
  const [maxConcurrency, total, remaining, resetAfterMs] = [limit.max_concurrency, limit.total, limit.remaining, limit.reset_after];
  if (
    typeof shards !== 'number' ||
    shards < 1 ||
    typeof maxConcurrency !== 'number' ||
    maxConcurrency < 1 ||
    typeof total !== 'number' ||
    typeof remaining !== 'number' ||
    typeof resetAfterMs !== 'number'
  ) {
    throw new GatewayInfoError(`GET ${url} answered an unexpected body: ${JSON.stringify(body).slice(0, 200)}`);
  }
  return { shards, maxConcurrency, sessionStarts: { total, remaining, resetAfterMs } };
}
