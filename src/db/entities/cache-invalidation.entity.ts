import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Cache keys a writer could not invalidate in Redis; see the cache_invalidations migration. */
@Entity({ name: 'cache_invalidations' })
export class CacheInvalidationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text', array: true })
  keys!: string[];

  @Index('idx_cache_invalidations_created_at')
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
