import { createHash } from 'node:crypto';

/** Where a request falls in Discord's rate limiting: its route, bucket hash and major parameter. */
export interface RouteIdentity {
  /** `METHOD /path/with/:id`, e.g. `POST /channels/:id/messages`. */
  route: string;
  /** The major parameter's value (`channels/123`, `guilds/456`, `webhooks/789/token`), '' when the route has none. */
  major: string;
  /** Interaction callbacks and interaction webhooks are not bound by the global limit (Discord's rule). */
  interaction: boolean;
}

const SNOWFLAKE = /^\d{15,21}$/;
/** Routes whose first two segments name a major parameter: buckets are separate per value. */
const MAJOR_ROOTS = new Set(['channels', 'guilds']);
/** Routes whose first three segments (ID and token) name a major parameter. */
const TOKEN_ROOTS = new Set(['webhooks', 'interactions']);

/** Classifies a path under `/api/v10` the way Discord keys its buckets. */
export function identifyRoute(method: string, path: string): RouteIdentity {
  const segments = path.split('/').filter((segment) => segment.length > 0);
  const root = segments[0] ?? '';
  let major = '';
  const normalized = segments.map((segment, index) => {
    if (TOKEN_ROOTS.has(root) && index === 2) return ':token';
    return SNOWFLAKE.test(segment) || segment === '@original' ? ':id' : segment;
  });
  if (MAJOR_ROOTS.has(root) && segments[1]) major = `${root}/${segments[1]}`;
  if (TOKEN_ROOTS.has(root) && segments[1]) major = `${root}/${segments[1]}/${segments[2] ?? ''}`;
  return {
    route: `${method.toUpperCase()} /${normalized.join('/')}`,
    major,
    interaction: root === 'interactions' || (root === 'webhooks' && segments[2] !== undefined),
  };
}

/** A stable bucket hash for a route, shaped like Discord's `X-RateLimit-Bucket` (32 hex digits). */
export function bucketHash(route: string): string {
  return createHash('md5').update(route).digest('hex');
}
