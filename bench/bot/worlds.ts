import { prng, seedWorld, SnowflakeFactory, type GuildSeed, type SeededWorld, type UserSeed } from '../../src/simulator';
import type { WorldSize } from './options';

/** One interaction to send: who (an existing user's ID, or a new user) in which guild. */
export interface PlannedInteraction {
  user: string | UserSeed;
  guildId: string;
}

export interface BenchWorld {
  name: 'warm' | 'cold' | 'memory';
  description: string;
  shardCount: number;
  clusters: number;
  guilds: GuildSeed[];
  users: UserSeed[];
  /** Sent first, not measured: the JIT of both clients (and, warm, the caches) warmed up. */
  warmup: PlannedInteraction[];
  measured: PlannedInteraction[];
}

const CLUSTERS = 2;
/** Interactions of the cold world's untimed warm-up (JIT only), on guilds the measured run does not use. */
const COLD_WARMUP = 250;
/** The warm world's users: every interaction comes from one of these. */
const WARM_USERS = 500;
/** The realistic world's users, members of its guilds. */
const USERS_PER_GUILD = 5;
const fmt = (n: number): string => n.toLocaleString('en-US');

/** A fresh user nobody has seen yet (the cold path: no row, nothing cached). */
function newUsers(count: number, seed: number): UserSeed[] {
  const ids = new SnowflakeFactory(9 + (seed % 16));
  return Array.from({ length: count }, (_, index) => ({ id: ids.next(), username: `newcomer${seed}_${index}` }));
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

/** Repeated users and guilds: a warm-up touching every guild once, then uniform draws from the same guilds and users. */
export function warmWorld(size: WorldSize, seed = 12): BenchWorld {
  const world = seedWorld({ seed, guildCount: size.guilds, publicGuildsWithoutBot: 0, userCount: WARM_USERS });
  return repeatedWorld(
    'warm',
    `${fmt(size.guilds)} guilds, warm (${fmt(size.interactions)} interactions, ${WARM_USERS} users)`,
    world,
    size,
    seed,
  );
}

/** Mostly unseen users and guilds: each interaction from a new user, guilds in a shuffled order (each once while there are enough). */
export function coldWorld(size: WorldSize, seed = 13): BenchWorld {
  const random = prng(seed);
  const world = seedWorld({ seed, guildCount: size.guilds, publicGuildsWithoutBot: 0, userCount: 100 });
  const order = shuffled(world.guilds, random);
  const warmupGuilds = order.slice(0, Math.min(COLD_WARMUP, Math.floor(order.length / 10)));
  const measuredGuilds = order.slice(warmupGuilds.length);
  const warmupUsers = newUsers(warmupGuilds.length, seed);
  const measuredUsers = newUsers(size.interactions, seed + 1);
  return {
    name: 'cold',
    description: `${fmt(size.guilds)} guilds, 8 shards, cold (${fmt(size.interactions)} interactions)`,
    shardCount: 8,
    clusters: CLUSTERS,
    ...world,
    warmup: warmupGuilds.map((guild, index) => ({ user: warmupUsers[index]!, guildId: guild.id })),
    measured: measuredUsers.map((user, index) => ({ user, guildId: measuredGuilds[index % measuredGuilds.length]!.id })),
  };
}

/** The realistic world for memory (`seedWorld`'s `realistic`), interactions drawn as in the warm world. */
export function memoryWorld(size: WorldSize, seed = 14): BenchWorld {
  const world = seedWorld({
    seed,
    guildCount: size.guilds,
    publicGuildsWithoutBot: 0,
    userCount: size.guilds * USERS_PER_GUILD,
    realistic: true,
  });
  return repeatedWorld('memory', `${fmt(size.guilds)} guilds, realistic (${fmt(size.interactions)} interactions)`, world, size, seed);
}

function repeatedWorld(name: BenchWorld['name'], description: string, world: SeededWorld, size: WorldSize, seed: number): BenchWorld {
  const random = prng(seed);
  const users = world.users.slice(0, WARM_USERS);
  const pickUser = (): string => users[Math.floor(random() * users.length)]!.id;
  return {
    name,
    description,
    shardCount: 4,
    clusters: CLUSTERS,
    ...world,
    warmup: world.guilds.map((guild) => ({ user: pickUser(), guildId: guild.id })),
    measured: Array.from({ length: size.interactions }, () => ({
      user: pickUser(),
      guildId: world.guilds[Math.floor(random() * world.guilds.length)]!.id,
    })),
  };
}
