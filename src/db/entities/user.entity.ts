import { Check, Entity, Index, PrimaryColumn } from 'typeorm';
import { EntityColumns, objectChecks } from './entity-columns';

const [attributesCheck, dataCheck] = objectChecks('users');

@Entity({ name: 'users' })
@Index('idx_users_attributes', ['attributes'], { type: 'gin' })
@Check(...attributesCheck)
@Check(...dataCheck)
export class UserEntity extends EntityColumns {
  @PrimaryColumn({ name: 'user_id', type: 'bigint' })
  userId!: string;
}
