import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `cache_invalidations`: the cache keys a writer could not invalidate in Redis (it was cut off
 * from it). Every process polls it and invalidates them for the writer, so a partition of one
 * writer cannot leave an old value in Redis for a whole TTL. Rows are purged by maintenance.
 */
export class CacheInvalidationLog1796195787502 implements MigrationInterface {
  name = 'CacheInvalidationLog1796195787502';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE cache_invalidations (
        id         BIGSERIAL   PRIMARY KEY,
        keys       TEXT[]      NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX idx_cache_invalidations_created_at ON cache_invalidations (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE cache_invalidations`);
  }
}
