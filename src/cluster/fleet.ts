import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis';
import { ModdyError } from '../core/moddy-error';
import type { Logger } from '../core/logger';

/** What a host writes about itself at each beat (`<prefix>:{fleet}:host:<id>`, expiring with its lease). */
export interface HostStatus {
  hostId: string;
  shards: number[];
  /** Shards of this host connected to the gateway, from its clusters' reports. */
  connectedShards: number[];
  readyClusters: number;
  totalClusters: number;
  /** Guilds of this host's shards, from its clusters' reports. */
  guilds: number;
  /** PostgreSQL connections this host may open (its clusters' pools and the manager's). */
  databaseConnections: number;
  version: string;
  pid: number;
  startedAt: number;
}

export interface FleetHost extends Partial<HostStatus> {
  hostId: string;
  /** Beat within the lease: the host runs. A dead host stays listed (not alive) until it returns or a day passes. */
  alive: boolean;
  lastBeatAt: number;
}

export interface FleetView {
  totalShards: number | null;
  hosts: FleetHost[];
  /** Guilds of the live hosts together (a dead host's are not served). */
  guilds: number;
  /** `connected`: on the gateway through a live host; `disconnected`: held by a live host, off the gateway; `unowned`: no live host holds it (a dead host's). */
  shards: { connected: number; disconnected: number; unowned: number };
}

export interface FleetOptions {
  redis: RedisConnection;
  /** Deployment prefix (`CACHE_PREFIX`): hosts of one bot share it. */
  prefix: string;
  /** `HOST_ID`: stable across restarts of one host, so its new manager (pm2 reload) takes its own claims over. */
  hostId: string;
  /** Renewal period of the claims and registration. Default 5000 ms. */
  beatMs?: number;
  /** Lifetime of a claim not renewed: how long a dead host's shards stay blocked. Default 15 000 ms. */
  leaseMs?: number;
  logger: Logger;
  now?: () => number;
}

/** Another live host holds some of the shards this host was given. */
export class ShardClaimConflictError extends ModdyError {
  readonly code = 'SHARD_CLAIMED';

  constructor(
    readonly hostId: string,
    readonly holders: readonly { shard: number; hostId: string }[],
  ) {
    super(
      `Host ${hostId} cannot claim shards held by a live host: ${describeHolders(holders)}. Fix HOST_SHARDS/HOST_INDEX, or wait for the other host's lease to expire if it is dead.`,
    );
  }
}

/** This host's numeric `TOTAL_SHARDS` differs from the figure the running fleet agreed on. */
export class FleetSizeMismatchError extends ModdyError {
  readonly code = 'FLEET_SIZE_MISMATCH';

  constructor(
    readonly configured: number,
    readonly agreed: number,
  ) {
    super(
      `TOTAL_SHARDS=${configured} but the running fleet agreed on ${agreed} shards: every host must use the same fleet size (or auto); to change it, stop every host and wait for their leases to expire`,
    );
  }
}

/** A dead host's entry leaves the fleet view after a day without a beat. */
const FORGET_HOST_AFTER_MS = 24 * 60 * 60 * 1000;

/** Claims every key unless one is held by another host; returns `[index, holder]` pairs of the refused ones (nothing written then). */
const CLAIM_SCRIPT = `
local held = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder and string.sub(holder, 1, #ARGV[1]) ~= ARGV[1] then
    table.insert(held, i - 1)
    table.insert(held, holder)
  end
end
if #held > 0 then return held end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[2], 'PX', ARGV[3]) end
return held`;

/** Extends this instance's claims (taking back an expired one nobody took); returns `[index, holder]` of those now held by someone else. */
const RENEW_SCRIPT = `
local lost = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2])
  elseif not holder then redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  else
    table.insert(lost, i - 1)
    table.insert(lost, holder)
  end
end
return lost`;

/** Deletes the keys this instance still holds. */
const RELEASE_SCRIPT = `
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 0`;

/**
 * A host's place in a fleet of hosts sharing one Redis: the fleet size agreed by every host, a
 * lease on each of its shards (`<prefix>:{fleet}:shard:<n>` = `<hostId>/<instance>`, renewed every
 * beat, expiring when the host dies) and its registration for the fleet view. No host calls
 * another: everything goes through Redis. The keys share the `{fleet}` hash tag so the scripts
 * run on one Redis Cluster slot.
 */
export class FleetMembership {
  readonly hostId: string;
  private readonly redis: RedisConnection;
  private readonly prefix: string;
  /** Holder value of this manager: the host, then this process (a newer manager of the host takes it over). */
  private readonly holder: string;
  private readonly beatMs: number;
  private readonly leaseMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private shards: number[] = [];
  /** The figure this host agreed on, kept alive by its beats. */
  private totalShards: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private status: (() => HostStatus) | undefined;
  private onLost: ((shards: number[], holders: string[]) => void) | undefined;

  constructor(options: FleetOptions) {
    this.redis = options.redis;
    this.hostId = options.hostId;
    this.prefix = options.prefix;
    // Random, not the clock: two managers started in the same millisecond (a test, a fast pm2 reload) must not share it.
    this.holder = `${options.hostId}/${process.pid}.${randomUUID()}`;
    this.beatMs = options.beatMs ?? 5000;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /**
   * The fleet's shard count. `auto`: the figure the live fleet agreed on, or `recommend()` stored
   * for the others if this host is the first. A number: stored if none is, refused if the live
   * fleet agreed on another (nothing written then). The figure expires a lease after the last
   * host's beat, so stopping every host is how the fleet size changes.
   */
  async agreeTotalShards(configured: number | 'auto', recommend: () => Promise<number>): Promise<number> {
    const key = this.key('total-shards');
    for (;;) {
      const agreed = await this.redis.get(key);
      if (agreed !== null) {
        if (configured !== 'auto' && Number(agreed) !== configured) throw new FleetSizeMismatchError(configured, Number(agreed));
        this.totalShards = Number(agreed);
        return this.totalShards;
      }
      const total = configured === 'auto' ? await recommend() : configured;
      // Another host may have stored its figure meanwhile: then read it again.
      if ((await this.redis.set(key, String(total), 'PX', this.leaseMs, 'NX')) === 'OK') {
        this.totalShards = total;
        return total;
      }
    }
  }

  /**
   * Claims `shards` for this host, all or none, and starts the beat. Shards held by another live
   * host are refused (ShardClaimConflictError); those of an older manager of this same host are
   * taken over (pm2 reload: it hands its clusters over through handoff.ts).
   */
  async claim(shards: readonly number[]): Promise<void> {
    const keys = shards.map((shard) => this.shardKey(shard));
    const refused = pairs(await this.redis.eval(CLAIM_SCRIPT, keys.length, ...keys, `${this.hostId}/`, this.holder, String(this.leaseMs)));
    if (refused.length > 0)
      throw new ShardClaimConflictError(
        this.hostId,
        refused.map(([index, holder]) => ({ shard: shards[index] ?? -1, hostId: hostOf(holder) })),
      );
    this.shards = [...shards];
    this.logger.info({ hostId: this.hostId, shards: shards.length, leaseMs: this.leaseMs }, 'shards claimed');
    this.timer = setInterval(() => void this.beat(), this.beatMs);
    this.timer.unref();
  }

  /**
   * What the beat registers about this host, and what to do when shards of this host turn out to
   * be held by another host (its lease expired while this process was stalled). Registered from
   * the next beat on.
   */
  report(status: () => HostStatus, onLost: (shards: number[], holders: string[]) => void): void {
    this.status = status;
    this.onLost = onLost;
  }

  /** Renews the claims and the fleet size, and registers this host's status. */
  async beat(): Promise<void> {
    try {
      const keys = this.shards.map((shard) => this.shardKey(shard));
      const lost =
        keys.length === 0 ? [] : pairs(await this.redis.eval(RENEW_SCRIPT, keys.length, ...keys, this.holder, String(this.leaseMs)));
      // A newer manager of this host took them over (pm2 reload): the handoff stops those clusters.
      const toOtherHosts = lost.filter(([, holder]) => hostOf(holder) !== this.hostId);
      if (toOtherHosts.length > 0) {
        const shards = toOtherHosts.map(([index]) => this.shards[index] ?? -1);
        this.shards = this.shards.filter((shard) => !shards.includes(shard));
        this.onLost?.(
          shards,
          toOtherHosts.map(([, holder]) => hostOf(holder)),
        );
      }
      const at = this.now();
      if (this.totalShards !== undefined) {
        // Stored again if it expired meanwhile (Redis restarted, a long stall), never overwritten.
        const key = this.key('total-shards');
        if ((await this.redis.set(key, String(this.totalShards), 'PX', this.leaseMs, 'NX')) !== 'OK')
          await this.redis.pexpire(key, this.leaseMs);
      }
      if (this.status) {
        await this.redis.set(this.key(`host:${this.hostId}`), JSON.stringify(this.status()), 'PX', this.leaseMs);
        await this.redis.zadd(this.key('hosts'), at, this.hostId);
      }
    } catch (error) {
      // Redis down: the leases run out if it lasts, and another host may then take these shards.
      this.logger.warn({ err: error }, 'fleet beat failed');
    }
  }

  /** Every host that registered (alive or dead within a day, by host ID) and the state of every shard of the fleet. */
  view(): Promise<FleetView> {
    return readFleetView(this.redis, this.prefix, this.now());
  }

  /** Stops the beat, gives back the shards this process still holds and leaves the fleet view. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const keys = this.shards.map((shard) => this.shardKey(shard));
    if (keys.length > 0) await this.redis.eval(RELEASE_SCRIPT, keys.length, ...keys, this.holder);
    // A newer manager of this host keeps the registration: it beats under the same ID.
    const stillMine = keys.length === 0 || (await this.redis.exists(...keys)) === 0;
    if (this.status && stillMine) {
      await this.redis.del(this.key(`host:${this.hostId}`));
      await this.redis.zrem(this.key('hosts'), this.hostId);
    }
    this.shards = [];
  }

  private key(name: string): string {
    return fleetKey(this.prefix, name);
  }

  private shardKey(shard: number): string {
    return this.key(`shard:${shard}`);
  }
}

/** The fleet as registered in Redis under `prefix` (`CACHE_PREFIX`): what any process of the bot can show. */
export async function readFleetView(redis: RedisConnection, prefix: string, now = Date.now()): Promise<FleetView> {
  const key = (name: string) => fleetKey(prefix, name);
  await redis.zremrangebyscore(key('hosts'), '-inf', now - FORGET_HOST_AFTER_MS);
  const [totalRaw, listed] = await Promise.all([redis.get(key('total-shards')), redis.zrange(key('hosts'), 0, -1, 'WITHSCORES')]);
  const beats: { hostId: string; lastBeatAt: number }[] = [];
  for (let index = 0; index + 1 < listed.length; index += 2)
    beats.push({ hostId: String(listed[index]), lastBeatAt: Number(listed[index + 1]) });
  beats.sort((a, b) => a.hostId.localeCompare(b.hostId));
  const statuses = beats.length === 0 ? [] : await redis.mget(...beats.map((beat) => key(`host:${beat.hostId}`)));
  const hosts = beats.map((beat, index): FleetHost => {
    const raw = statuses[index];
    const status = raw ? (JSON.parse(raw) as HostStatus) : undefined;
    return { ...status, hostId: beat.hostId, alive: status !== undefined, lastBeatAt: beat.lastBeatAt };
  });
  const totalShards = totalRaw === null ? null : Number(totalRaw);
  const connected = new Set(hosts.flatMap((host) => host.connectedShards ?? []));
  const held = new Set(hosts.flatMap((host) => host.shards ?? []));
  const fleetSize = totalShards ?? held.size;
  return {
    totalShards,
    hosts,
    guilds: hosts.reduce((sum, host) => sum + (host.alive ? (host.guilds ?? 0) : 0), 0),
    shards: { connected: connected.size, disconnected: held.size - connected.size, unowned: Math.max(0, fleetSize - held.size) },
  };
}

/** The fleet's keys share the `{fleet}` hash tag: the scripts touch several in one Redis Cluster slot. */
function fleetKey(prefix: string, name: string): string {
  return `${prefix}:{fleet}:${name}`;
}

function hostOf(holder: string): string {
  return holder.slice(0, holder.lastIndexOf('/'));
}

/** `[i0, v0, i1, v1, …]` from a script → `[[i0, v0], …]`. */
function pairs(reply: unknown): [number, string][] {
  const flat = Array.isArray(reply) ? (reply as unknown[]) : [];
  const result: [number, string][] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) result.push([Number(flat[index]), String(flat[index + 1])]);
  return result;
}

function describeHolders(holders: readonly { shard: number; hostId: string }[]): string {
  const byHost = new Map<string, number[]>();
  for (const { shard, hostId } of holders) byHost.set(hostId, [...(byHost.get(hostId) ?? []), shard]);
  return [...byHost].map(([hostId, shards]) => `shards ${shards.join(', ')} by host ${hostId}`).join('; ');
}
