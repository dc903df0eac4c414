import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AttributeValue, EntityType } from '../../attributes/registry';

/** Audit trail: one row per attribute change that changed something. */
@Entity({ name: 'attribute_changes' })
@Check('attribute_changes_entity_type_check', `entity_type IN ('user', 'guild')`)
@Index('idx_attribute_changes_entity', ['entityType', 'entityId', 'changedAt'])
export class AttributeChangeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'entity_type', type: 'varchar', length: 5 })
  entityType!: EntityType;

  @Column({ name: 'entity_id', type: 'bigint' })
  entityId!: string;

  @Column({ name: 'attribute_name', type: 'varchar', length: 64 })
  attributeName!: string;

  /** SQL NULL = absent; JSON `true` or a string otherwise. */
  @Column({ name: 'old_value', type: 'jsonb', nullable: true })
  oldValue!: AttributeValue | null;

  @Column({ name: 'new_value', type: 'jsonb', nullable: true })
  newValue!: AttributeValue | null;

  @Column({ name: 'changed_by', type: 'bigint' })
  changedBy!: string;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt!: Date;

  @Column({ type: 'text' })
  reason!: string;
}
