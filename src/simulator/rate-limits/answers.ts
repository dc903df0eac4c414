/** What the rate limiter decides for a request: headers to add, and a refusal when it is refused. */
export interface RateLimitAnswer {
  headers: Record<string, string>;
  refusal?: RateLimitRefusal;
}

/** Discord's 429 body; `retry_after` is in seconds. */
export interface RateLimitBody {
  message: string;
  retry_after: number;
  global: boolean;
  code?: number;
}

/** A 429: Discord's JSON body, or Cloudflare's plain text during an invalid-request ban. */
export type RateLimitRefusal = { status: 429; body: RateLimitBody } | { status: 429; text: string };

export type RateLimitScope = 'user' | 'global' | 'shared';

const seconds = (ms: number): number => Math.round(ms) / 1000;

/** A bucket's headers, as Discord sends them on every answer of a bucketed route. */
export function bucketHeaders(bucket: string, limit: number, remaining: number, resetAt: number, now: number): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': String(Math.max(0, remaining)),
    'X-RateLimit-Reset': seconds(resetAt).toFixed(3),
    'X-RateLimit-Reset-After': seconds(Math.max(0, resetAt - now)).toFixed(3),
    'X-RateLimit-Bucket': bucket,
  };
}

/** A 429 as Discord answers it: `Retry-After` (whole seconds, rounded up), scope header, JSON body. */
export function tooManyRequests(
  retryAfterMs: number,
  scope: RateLimitScope,
  headers: Record<string, string> = {},
): { headers: Record<string, string>; refusal: { status: 429; body: RateLimitBody } } {
  const global = scope === 'global';
  return {
    headers: {
      ...headers,
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
      'X-RateLimit-Scope': scope,
      ...(global ? { 'X-RateLimit-Global': 'true' } : {}),
    },
    refusal: {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: seconds(Math.max(1, retryAfterMs)), global, code: 0 },
    },
  };
}

/** Cloudflare's answer while an address is banned for too many invalid requests: no Discord headers, plain text. */
export function temporarilyBanned(retryAfterMs: number): Required<RateLimitAnswer> {
  return {
    headers: { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) },
    refusal: { status: 429, text: 'error code: 1015' },
  };
}
