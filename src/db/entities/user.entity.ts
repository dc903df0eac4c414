import { Entity, PrimaryColumn } from 'typeorm';
import { EntityColumns } from './entity-columns';

@Entity({ name: 'users' })
export class UserEntity extends EntityColumns {
  @PrimaryColumn({ name: 'user_id', type: 'bigint' })
  userId!: string;
}
