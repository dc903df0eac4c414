import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { JSONB_EMPTY_OBJECT } from './entity-columns';

/** One captured error, quotable by users through its 8-character code. */
@Entity({ name: 'errors' })
export class ErrorRecordEntity {
  @PrimaryColumn({ name: 'error_code', type: 'char', length: 8 })
  errorCode!: string;

  @Column({ name: 'error_type', type: 'varchar', length: 200 })
  errorType!: string;

  @Column({ type: 'text' })
  message!: string;

  @Column({ name: 'file_source', type: 'text', nullable: true })
  fileSource!: string | null;

  @Column({ name: 'line_number', type: 'integer', nullable: true })
  lineNumber!: number | null;

  @Column({ type: 'text', nullable: true })
  traceback!: string | null;

  @Index('idx_errors_user_id', { where: 'user_id IS NOT NULL' })
  @Column({ name: 'user_id', type: 'bigint', nullable: true })
  userId!: string | null;

  @Index('idx_errors_guild_id', { where: 'guild_id IS NOT NULL' })
  @Column({ name: 'guild_id', type: 'bigint', nullable: true })
  guildId!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  command!: string | null;

  @Index('idx_errors_timestamp')
  @Column({ type: 'timestamptz', default: () => 'now()' })
  timestamp!: Date;

  @Column({ type: 'jsonb', default: () => JSONB_EMPTY_OBJECT })
  context!: Record<string, unknown>;
}
