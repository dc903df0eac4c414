import { SnowflakeFactory, seedWorld, shardForGuild, type GuildSeed, type UserSeed } from '../simulator';

/** The people and places of the scripted session, fresh for every run so reruns start clean. */
export interface DemoCast {
  guildA: string;
  guildB: string;
  hq: string;
  logChannel: string;
  publicGuild: string;
  privateGuild: string;
  owner: string;
  admin: string;
  member: string;
  spammer: string;
}

export interface DemoWorld {
  cast: DemoCast;
  guilds: GuildSeed[];
  users: UserSeed[];
}

/**
 * A seeded world of `guildCount` guilds plus the cast: guild A on the first cluster, guild B on the
 * second, so that changes made through one cluster can be watched from the other.
 */
export function buildDemoWorld(totalShards: number, shardsPerCluster: number, guildCount: number): DemoWorld {
  const ids = new SnowflakeFactory(9);
  const minted = (): string => ids.next(Date.now() - Math.floor(Math.random() * 4e11));
  const onShard = (shard: number): string => {
    for (;;) {
      const id = minted();
      if (shardForGuild(id, totalShards) === shard) return id;
    }
  };
  const lastShard = totalShards - 1;
  const cast: DemoCast = {
    guildA: onShard(0),
    guildB: onShard(Math.min(shardsPerCluster, lastShard)),
    hq: onShard(0),
    logChannel: minted(),
    publicGuild: onShard(lastShard),
    privateGuild: onShard(lastShard),
    owner: minted(),
    admin: minted(),
    member: minted(),
    spammer: minted(),
  };
  const world = seedWorld({ seed: 7, guildCount });
  const guilds: GuildSeed[] = [
    ...world.guilds,
    { id: cast.guildA, name: 'Café Pixel', ownerId: cast.admin, memberCount: 1840, features: ['COMMUNITY'] },
    { id: cast.guildB, name: 'Lunar Workshop', ownerId: cast.admin, memberCount: 312 },
    { id: cast.hq, name: 'Moddy HQ', ownerId: cast.owner, channels: [{ id: cast.logChannel, name: 'error-log' }] },
    {
      id: cast.publicGuild,
      name: 'Speedrun Central',
      botInGuild: false,
      discoverable: true,
      memberCount: 48_210,
      features: ['COMMUNITY', 'DISCOVERABLE'],
    },
    { id: cast.privateGuild, name: 'Secret Club', botInGuild: false },
  ];
  const users: UserSeed[] = [
    ...world.users,
    { id: cast.owner, username: 'moddy_owner' },
    { id: cast.admin, username: 'server_admin' },
    { id: cast.member, username: 'curious_member' },
    { id: cast.spammer, username: 'spammer' },
  ];
  return { cast, guilds, users };
}
