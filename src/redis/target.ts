/** A `host:port` of a sentinel or a cluster node. */
export interface RedisAddress {
  host: string;
  port: number;
}

/** One Redis server (`REDIS_URL`). */
export interface SingleNodeTarget {
  mode: 'single';
  url: string;
}

/** A master found through Sentinel (`REDIS_SENTINELS`, `REDIS_SENTINEL_NAME`): a failover moves every connection to the new master. */
export interface SentinelTarget {
  mode: 'sentinel';
  sentinels: RedisAddress[];
  /** The master's name in the sentinels' `sentinel monitor` line. */
  name: string;
  /** Of the sentinels themselves (`REDIS_SENTINEL_PASSWORD`). */
  sentinelPassword?: string;
  /** Of the data nodes (`REDIS_PASSWORD`). */
  password?: string;
}

/** A Redis Cluster (`REDIS_CLUSTER_NODES`): any reachable nodes; the client discovers the others. */
export interface ClusterTarget {
  mode: 'cluster';
  nodes: RedisAddress[];
  /** Of every node (`REDIS_PASSWORD`). */
  password?: string;
}

export type RedisTarget = SingleNodeTarget | SentinelTarget | ClusterTarget;

/** A URL is shorthand for one node (tests and tools pass one). */
export type RedisTargetLike = RedisTarget | string;

export function asRedisTarget(target: RedisTargetLike): RedisTarget {
  return typeof target === 'string' ? { mode: 'single', url: target } : target;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Parses `host:port,host:port`; the caller validated the shape (src/config/schema.ts). */
export function parseAddresses(list: string): RedisAddress[] {
  return list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const at = part.lastIndexOf(':');
      return { host: part.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(part.slice(at + 1)) };
    });
}

/** The Redis variables of the configuration (src/config/schema.ts checked that exactly one mode is set). */
export interface RedisSettings {
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_CLUSTER_NODES?: string;
  REDIS_PASSWORD?: string;
}

/** The deployment's Redis: every process builds its connections from this, so all use the same mode. */
export function redisTargetFromConfig(config: RedisSettings): RedisTarget {
  const password = config.REDIS_PASSWORD;
  if (config.REDIS_CLUSTER_NODES !== undefined) {
    return { mode: 'cluster', nodes: parseAddresses(config.REDIS_CLUSTER_NODES), ...(password === undefined ? {} : { password }) };
  }
  if (config.REDIS_SENTINELS !== undefined) {
    return {
      mode: 'sentinel',
      sentinels: parseAddresses(config.REDIS_SENTINELS),
      name: config.REDIS_SENTINEL_NAME ?? 'mymaster',
      ...(config.REDIS_SENTINEL_PASSWORD === undefined ? {} : { sentinelPassword: config.REDIS_SENTINEL_PASSWORD }),
      ...(password === undefined ? {} : { password }),
    };
  }
  return { mode: 'single', url: config.REDIS_URL ?? DEFAULT_REDIS_URL };
}

/** The environment that selects `target` in a child process (clusters, workers started by a parent). */
export function redisEnvironment(target: RedisTarget): Record<string, string> {
  const list = (addresses: RedisAddress[]) =>
    addresses.map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`).join(',');
  switch (target.mode) {
    case 'single':
      return { REDIS_URL: target.url };
    case 'sentinel':
      return {
        REDIS_SENTINELS: list(target.sentinels),
        REDIS_SENTINEL_NAME: target.name,
        ...(target.sentinelPassword === undefined ? {} : { REDIS_SENTINEL_PASSWORD: target.sentinelPassword }),
        ...(target.password === undefined ? {} : { REDIS_PASSWORD: target.password }),
      };
    case 'cluster':
      return { REDIS_CLUSTER_NODES: list(target.nodes), ...(target.password === undefined ? {} : { REDIS_PASSWORD: target.password }) };
  }
}
