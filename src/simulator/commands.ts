import type { APIApplicationCommand, ApplicationCommandType, Permissions } from 'discord.js';
import { validateCommands } from './command-validation';
import type { SnowflakeFactory } from './snowflake';

/** What a bulk overwrite body item may carry (the fields we read; the rest is stored as sent). */
interface CommandBody {
  name: string;
  type?: number;
  description?: string;
  options?: unknown[];
  default_member_permissions?: string | null;
  [field: string]: unknown;
}

/** Application commands registered through `PUT /applications/:id[/guilds/:id]/commands`. */
export class CommandRegistry {
  private global = new Map<string, APIApplicationCommand>();
  private readonly perGuild = new Map<string, Map<string, APIApplicationCommand>>();

  constructor(
    private readonly applicationId: string,
    private readonly snowflakes: SnowflakeFactory,
  ) {}

  /** Bulk overwrite, as Discord does it: commands keep their ID when name and type are unchanged. */
  overwrite(body: unknown, guildId?: string): APIApplicationCommand[] {
    validateCommands(body);
    const previous = guildId ? this.perGuild.get(guildId) : this.global;
    const next = new Map<string, APIApplicationCommand>();
    for (const raw of body as CommandBody[]) {
      const type = raw.type ?? 1;
      const key = `${type}:${raw.name}`;
      const id = previous?.get(key)?.id ?? this.snowflakes.next();
      next.set(key, {
        ...raw,
        id,
        application_id: this.applicationId,
        version: this.snowflakes.next(),
        type: type as ApplicationCommandType,
        name: raw.name,
        description: raw.description ?? '',
        default_member_permissions: (raw.default_member_permissions ?? null) as Permissions | null,
        ...(guildId ? { guild_id: guildId } : {}),
      } as APIApplicationCommand);
    }
    if (guildId) this.perGuild.set(guildId, next);
    else this.global = next;
    return [...next.values()];
  }

  list(guildId?: string): APIApplicationCommand[] {
    return [...((guildId ? this.perGuild.get(guildId) : this.global)?.values() ?? [])];
  }

  /** A registered command by name (guild commands shadow global ones), used to fill interaction data. */
  find(name: string, guildId?: string): APIApplicationCommand | undefined {
    const all = [...this.list(guildId), ...(guildId ? this.list() : [])];
    return all.find((command) => command.name === name && command.type === 1);
  }

  snapshot(): { global: APIApplicationCommand[]; guilds: Record<string, APIApplicationCommand[]> } {
    const guilds: Record<string, APIApplicationCommand[]> = {};
    for (const [guildId, commands] of this.perGuild) guilds[guildId] = [...commands.values()];
    return { global: this.list(), guilds };
  }
}
