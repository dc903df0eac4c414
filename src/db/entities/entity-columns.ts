import { Column, CreateDateColumn, UpdateDateColumn } from 'typeorm';
import type { Attributes } from '../../attributes/registry';

/** Columns shared by `users` and `guilds`: system attributes, user-editable data, soft delete. */
export abstract class EntityColumns {
  /** GIN-indexed (see the initial migration) so attribute queries never scan the table. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  attributes!: Attributes;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  data!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Soft-delete marker: users and guilds are never deleted, only marked inactive. */
  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt!: Date | null;
}
