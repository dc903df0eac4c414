import { ModdyError } from '../core/moddy-error';

/**
 * This host's share of the fleet's shards: every shard (one host, the default), an explicit list of
 * ranges (`HOST_SHARDS=0-15` or `0-3,8-11`), or an even split (`HOST_INDEX` of `HOST_COUNT`).
 */
export type HostShare = { kind: 'all' } | { kind: 'ranges'; spec: string } | { kind: 'split'; index: number; count: number };

/** A host share that cannot be honoured (bad syntax, out of range, overlapping, no numeric fleet size). */
export class HostShareError extends ModdyError {
  readonly code = 'HOST_SHARE_INVALID';
}

/** The share the settings describe; refuses both kinds at once and half a split. */
export function hostShareFrom(settings: { HOST_SHARDS?: string; HOST_INDEX?: number; HOST_COUNT?: number }): HostShare {
  const { HOST_SHARDS: spec, HOST_INDEX: index, HOST_COUNT: count } = settings;
  const split = index !== undefined || count !== undefined;
  if (spec !== undefined && split)
    throw new HostShareError('HOST_SHARDS and HOST_INDEX/HOST_COUNT both set: choose one way to give this host its shards');
  if (spec !== undefined) return { kind: 'ranges', spec };
  if (!split) return { kind: 'all' };
  if (index === undefined || count === undefined) throw new HostShareError('HOST_INDEX and HOST_COUNT go together: set both, or neither');
  if (index >= count) throw new HostShareError(`HOST_INDEX ${index} must be below HOST_COUNT ${count} (hosts are numbered from 0)`);
  return { kind: 'split', index, count };
}

/** A short name of the share, for the default host ID and logs: `all`, `0-3,8-11`, `1of2`. */
export function describeHostShare(share: HostShare): string {
  if (share.kind === 'all') return 'all';
  if (share.kind === 'ranges') return share.spec.replace(/\s+/g, '');
  return `${share.index}of${share.count}`;
}

/**
 * The shard IDs of this host, ascending, out of a fleet of `totalShards`. An even split gives host
 * `i` the contiguous block `[floor(i·n/c), floor((i+1)·n/c))`, so hosts differ by one shard at most.
 */
export function resolveHostShards(share: HostShare, totalShards: number): number[] {
  if (share.kind === 'all') return range(0, totalShards - 1);
  if (share.kind === 'split') {
    if (share.count > totalShards)
      throw new HostShareError(`HOST_COUNT ${share.count} exceeds the fleet's ${totalShards} shards: some hosts would have none`);
    return range(Math.floor((share.index * totalShards) / share.count), Math.floor(((share.index + 1) * totalShards) / share.count) - 1);
  }
  const shards: number[] = [];
  const seen = new Set<number>();
  for (const part of share.spec.split(',').map((raw) => raw.trim())) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) throw new HostShareError(`HOST_SHARDS: "${part}" is not a shard or a range like 0-15`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) throw new HostShareError(`HOST_SHARDS: range ${part} ends before it starts`);
    if (last >= totalShards) throw new HostShareError(`HOST_SHARDS: ${part} is out of range, the fleet has shards 0-${totalShards - 1}`);
    for (const shard of range(first, last)) {
      if (seen.has(shard)) throw new HostShareError(`HOST_SHARDS: shard ${shard} is listed twice (overlapping ranges in "${share.spec}")`);
      seen.add(shard);
      shards.push(shard);
    }
  }
  return shards.sort((a, b) => a - b);
}

/** Compact ranges of sorted shard IDs: [0,1,2,3,8,9] → `0-3,8-9`. */
export function formatShardRanges(shards: readonly number[]): string {
  const parts: string[] = [];
  let start: number | undefined;
  let previous: number | undefined;
  const flush = () => {
    if (start === undefined || previous === undefined) return;
    parts.push(start === previous ? String(start) : `${start}-${previous}`);
  };
  for (const shard of shards) {
    if (previous !== undefined && shard === previous + 1) {
      previous = shard;
      continue;
    }
    flush();
    start = shard;
    previous = shard;
  }
  flush();
  return parts.join(',');
}

function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, offset) => first + offset);
}
