import { Column, CreateDateColumn, UpdateDateColumn } from 'typeorm';
import type { Attributes } from '../../attributes/registry';

/**
 * The default `'{}'::jsonb` as TypeORM reads it back from PostgreSQL (casts stripped), so that the
 * schema builder sees no drift between these entities and the migrations.
 */
export const JSONB_EMPTY_OBJECT = "'{}'";

/** `CHECK` names and expressions of the initial migration, declared so that TypeORM keeps them. */
export const objectChecks = (table: string) =>
  [
    [`${table}_attributes_check`, `jsonb_typeof(attributes) = 'object'`],
    [`${table}_data_check`, `jsonb_typeof(data) = 'object'`],
  ] as const;

/** Columns shared by `users` and `guilds`: system attributes, user-editable data, soft delete. */
export abstract class EntityColumns {
  /** GIN-indexed (on each entity class) so attribute queries never scan the table. */
  @Column({ type: 'jsonb', default: () => JSONB_EMPTY_OBJECT })
  attributes!: Attributes;

  @Column({ type: 'jsonb', default: () => JSONB_EMPTY_OBJECT })
  data!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Soft-delete marker: users and guilds are never deleted, only marked inactive. */
  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt!: Date | null;
}
