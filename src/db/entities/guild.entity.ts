import { Entity, PrimaryColumn } from 'typeorm';
import { EntityColumns } from './entity-columns';

@Entity({ name: 'guilds' })
export class GuildEntity extends EntityColumns {
  @PrimaryColumn({ name: 'guild_id', type: 'bigint' })
  guildId!: string;
}
