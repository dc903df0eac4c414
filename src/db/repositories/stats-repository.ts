import type { DataSource } from 'typeorm';
import type { Stats } from '../api';
import { selectOne } from '../sql';

/** The counts of the developers' stats command, in one round trip. */
export class StatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async get(): Promise<Stats> {
    const row = await selectOne<Stats>(
      this.dataSource,
      `SELECT (SELECT count(*) FROM errors)::int AS errors,
              (SELECT count(*) FROM users)::int AS users,
              (SELECT count(*) FROM guilds)::int AS guilds,
              (SELECT count(*) FROM guilds WHERE deactivated_at IS NULL)::int AS "activeGuilds",
              (SELECT count(*) FROM users WHERE attributes ? 'BETA')::int AS "betaUsers",
              (SELECT count(*) FROM users WHERE attributes ? 'PREMIUM')::int AS "premiumUsers",
              (SELECT count(*) FROM users WHERE attributes ? 'BLACKLISTED')::int AS "blacklistedUsers"`,
    );
    if (!row) throw new Error('stats query returned no row');
    return row;
  }
}
