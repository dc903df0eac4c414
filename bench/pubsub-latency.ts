import Redis, { Cluster } from 'ioredis';
import type { ClusterTarget } from '../src/redis';

/** Messages per round; rounds alternate plain and sharded, so both see the same machine load. */
const MESSAGES_PER_ROUND = 1000;
const ROUNDS = 4;
/** Messages sent before each round's timing starts (connections and slot routing warm). */
const WARMUP_MESSAGES = 100;
/** One message not heard within this long fails the bench (a lost subscription, not a slow one). */
const HEARD_WITHIN_MS = 2000;

export interface DeliveryLatency {
  messages: number;
  p50Us: number;
  p99Us: number;
}

/** A publisher and a subscriber of one channel, kept apart on the cluster as the cache's processes are. */
interface PubSubPair {
  publish(message: string): Promise<unknown>;
  /** Subscribes; resolves once the server confirmed. */
  listen(onMessage: (message: string) => void): Promise<void>;
  close(): void;
}

/**
 * PUBLISH/SUBSCRIBE, as the cache does now: published on one node, heard by a subscriber connected
 * to another (the cluster bus forwards every message to every node).
 */
function plainPair(target: ClusterTarget, channel: string): PubSubPair {
  const [first, second] = target.nodes;
  if (!first || !second) throw new Error('pub/sub bench: plain delivery across nodes needs two cluster nodes');
  const publisher = new Redis(first.port, first.host);
  const subscriber = new Redis(second.port, second.host);
  return {
    publish: (message) => publisher.publish(channel, message),
    listen: async (onMessage) => {
      subscriber.on('message', (from: string, message: string) => {
        if (from === channel) onMessage(message);
      });
      await subscriber.subscribe(channel);
    },
    close: () => {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/** SPUBLISH/SSUBSCRIBE: both go to the master of the channel's slot; nothing crosses the cluster bus. */
function shardedPair(target: ClusterTarget, channel: string): PubSubPair {
  const publisher = new Cluster(target.nodes);
  // ioredis routes SSUBSCRIBE to the slot's master only with its sharded subscribers on.
  const subscriber = new Cluster(target.nodes, { shardedSubscribers: true });
  return {
    publish: (message) => publisher.spublish(channel, message),
    listen: async (onMessage) => {
      subscriber.on('smessage', (from: string, message: string) => {
        if (from === channel) onMessage(message);
      });
      await subscriber.ssubscribe(channel);
    },
    close: () => {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/**
 * Publishes `count` messages one at a time, each once the one before it was heard: the time from
 * the publish call to the subscriber's event, in µs (delivery, not queueing behind other messages).
 */
async function deliveries(pair: PubSubPair, label: string, count: number): Promise<number[]> {
  let waiting: { id: string; heard: () => void } | undefined;
  await pair.listen((message) => {
    if (waiting?.id === message) waiting.heard();
  });
  const samples: number[] = [];
  for (let i = -WARMUP_MESSAGES; i < count; i += 1) {
    const id = `${label} ${i}`;
    let timer: NodeJS.Timeout | undefined;
    const heard = new Promise<number>((resolve, reject) => {
      waiting = { id, heard: () => resolve(performance.now()) };
      timer = setTimeout(
        () => reject(new Error(`pub/sub bench: ${label} message ${i} not heard within ${HEARD_WITHIN_MS} ms`)),
        HEARD_WITHIN_MS,
      );
    });
    const sentAt = performance.now();
    try {
      const [heardAt] = await Promise.all([heard, pair.publish(id)]);
      if (i >= 0) samples.push((heardAt - sentAt) * 1000);
    } finally {
      clearTimeout(timer);
    }
  }
  return samples;
}

function summary(samples: number[]): DeliveryLatency {
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
  return { messages: sorted.length, p50Us: at(0.5), p99Us: at(0.99) };
}

/** Invalidation delivery latency on `target`, plain vs sharded pub/sub, in alternating rounds. */
export async function pubsubLatency(target: ClusterTarget): Promise<{ plain: DeliveryLatency; sharded: DeliveryLatency }> {
  const plain: number[] = [];
  const sharded: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const channel = `moddy_bench_pubsub_${process.pid}_${round}`;
    for (const [samples, open, label] of [
      [plain, plainPair, 'plain'],
      [sharded, shardedPair, 'sharded'],
    ] as const) {
      const pair = open(target, channel);
      try {
        samples.push(...(await deliveries(pair, label, MESSAGES_PER_ROUND)));
      } finally {
        pair.close();
      }
    }
  }
  return { plain: summary(plain), sharded: summary(sharded) };
}
