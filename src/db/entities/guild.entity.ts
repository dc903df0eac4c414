import { Check, Entity, Index, PrimaryColumn } from 'typeorm';
import { EntityColumns, objectChecks } from './entity-columns';

const [attributesCheck, dataCheck] = objectChecks('guilds');

@Entity({ name: 'guilds' })
@Index('idx_guilds_attributes', ['attributes'], { type: 'gin' })
@Check(...attributesCheck)
@Check(...dataCheck)
export class GuildEntity extends EntityColumns {
  @PrimaryColumn({ name: 'guild_id', type: 'bigint' })
  guildId!: string;
}
