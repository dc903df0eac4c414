import type { DataSource } from 'typeorm';
import { deleteInBatches, select } from '../sql';

export interface LoggedInvalidation {
  id: string;
  keys: string[];
}

/** `cache_invalidations`: written by a writer cut off from Redis, read by every process's poller. */
export class CacheInvalidationRepository {
  constructor(private readonly dataSource: DataSource) {}

  async append(keys: readonly string[]): Promise<void> {
    await this.dataSource.query('INSERT INTO cache_invalidations (keys) VALUES ($1)', [keys]);
  }

  /** Rows logged in the last `windowMs` (by the server's clock) with an id above `afterId`, oldest first. */
  async since(windowMs: number, afterId: string, limit: number): Promise<LoggedInvalidation[]> {
    return select<LoggedInvalidation>(
      this.dataSource,
      `SELECT id::text AS id, keys FROM cache_invalidations
        WHERE created_at > now() - make_interval(secs => $1::double precision / 1000) AND id > $2::bigint
        ORDER BY id LIMIT $3`,
      [windowMs, afterId, limit],
    );
  }

  async deleteOlderThan(maxAgeMs: number, batchSize: number): Promise<number> {
    return deleteInBatches(
      this.dataSource,
      'cache_invalidations',
      'id',
      'created_at < now() - make_interval(secs => $1::double precision / 1000)',
      [maxAgeMs],
      batchSize,
    );
  }
}
