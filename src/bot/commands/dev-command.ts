import { SlashCommandBuilder, type SlashCommandSubcommandBuilder } from 'discord.js';
import { ATTRIBUTES, ENTITY_TYPES, type AttributeValue, type EntityType } from '../../attributes/registry';
import { assertSnowflake } from '../../core/snowflake';
import type { Command, CommandContext } from '../command';
import { commandPath } from '../command';
import { formatShardRanges } from '../../cluster/host-shards';
import { clipText } from '../../core/storable';
import { formatDate } from './format';

const ATTRIBUTE_CHOICES = Object.keys(ATTRIBUTES).map((name) => ({ name, value: name }));
const TARGET_CHOICES = ENTITY_TYPES.map((type) => ({ name: type, value: type }));

function withTarget(sub: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return sub
    .addStringOption((o) =>
      o
        .setName('target')
        .setDescription('user or guild')
        .setRequired(true)
        .addChoices(...TARGET_CHOICES),
    )
    .addStringOption((o) => o.setName('id').setDescription('User or server ID').setRequired(true));
}

function withName(sub: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return sub.addStringOption((o) =>
    o
      .setName('name')
      .setDescription('Attribute')
      .setRequired(true)
      .addChoices(...ATTRIBUTE_CHOICES),
  );
}

function withReason(sub: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return sub.addStringOption((o) =>
    o.setName('reason').setDescription('Why (kept in the audit trail)').setRequired(true).setMaxLength(500),
  );
}

function show(value: AttributeValue | null, ctx: CommandContext): string {
  return value === null ? ctx.t('common.none') : String(value);
}

interface Target {
  entityType: EntityType;
  id: string;
  entity: string;
}

function target(ctx: CommandContext): Target {
  const entityType = ctx.interaction.options.getString('target', true) === 'guild' ? 'guild' : 'user';
  const id = assertSnowflake(ctx.interaction.options.getString('id', true).trim(), `${entityType} ID`);
  return { entityType, id, entity: ctx.t(entityType === 'guild' ? 'entity.guild' : 'entity.user') };
}

async function changeAttribute(ctx: CommandContext, value: AttributeValue | null): Promise<void> {
  const { entityType, id, entity } = target(ctx);
  const attribute = ctx.interaction.options.getString('name', true);
  const reason = ctx.interaction.options.getString('reason', true);
  const result = await ctx.db.setAttribute(entityType, id, attribute, value, ctx.interaction.user.id, reason);
  const base = { entity, id, attribute, old: show(result.oldValue, ctx) };
  if (!result.changed)
    return ctx.reply(ctx.t('dev.attribute.unchanged', { entity, id, attribute, value: show(result.newValue, ctx) }), { ephemeral: true });
  if (result.newValue === null) return ctx.reply(ctx.t('dev.attribute.removed', base), { ephemeral: true });
  await ctx.reply(ctx.t('dev.attribute.set', { ...base, value: show(result.newValue, ctx) }), { ephemeral: true });
}

/** Totals across the bot's hosts and a line per host, from the fleet registered in Redis; empty when none is (or Redis does not answer). */
async function fleetText(ctx: CommandContext): Promise<string> {
  const view = await ctx.fleet?.().catch((error: unknown) => {
    ctx.logger.warn({ err: error }, 'fleet view unavailable for /dev stats');
    return null;
  });
  if (!view || view.hosts.length === 0) return '';
  const { shards, hosts } = view;
  const total = view.totalShards ?? shards.connected + shards.disconnected + shards.unowned;
  const lines = [
    ctx.t('dev.stats.fleet', {
      alive: hosts.filter((host) => host.alive).length,
      hosts: hosts.length,
      guilds: view.guilds,
      connected: shards.connected,
      total,
      unowned: shards.unowned,
    }),
    ...hosts.map((host) =>
      host.alive
        ? ctx.t('dev.stats.host', {
            host: host.hostId,
            shards: formatShardRanges(host.shards ?? []),
            guilds: host.guilds ?? 0,
            ready: host.readyClusters ?? 0,
            clusters: host.totalClusters ?? 0,
            connected: host.connectedShards?.length ?? 0,
            version: host.version ?? '?',
          })
        : ctx.t('dev.stats.hostDown', { host: host.hostId, lastBeat: Math.floor(host.lastBeatAt / 1000) }),
    ),
  ];
  return `\n${lines.join('\n')}`;
}

/** One handler per `/dev` subcommand path (`attribute set`, `stats`, …). */
const handlers: Record<string, (ctx: CommandContext) => Promise<void>> = {
  'attribute set': (ctx) => changeAttribute(ctx, ctx.interaction.options.getString('value')?.trim() || true),
  'attribute remove': (ctx) => changeAttribute(ctx, null),

  async 'attribute get'(ctx) {
    const { entityType, id, entity } = target(ctx);
    const attribute = ctx.interaction.options.getString('name', true);
    const value = await ctx.db.getAttribute(entityType, id, attribute);
    await ctx.reply(ctx.t('dev.attribute.get', { entity, id, attribute, value: show(value, ctx) }), { ephemeral: true });
  },

  async 'attribute list'(ctx) {
    const { entityType, id, entity } = target(ctx);
    const attributes = Object.entries(await ctx.db.getAttributes(entityType, id)).map(([name, value]) =>
      value === true ? name : `${name}=${value}`,
    );
    await ctx.reply(
      ctx.t('dev.attribute.list', { entity, id, attributes: attributes.length > 0 ? attributes.join(', ') : ctx.t('common.none') }),
      { ephemeral: true },
    );
  },

  async error(ctx) {
    const code = ctx.interaction.options.getString('code', true);
    const error = await ctx.db.getError(code);
    if (!error) return ctx.reply(ctx.t('dev.error.notFound', { code }), { ephemeral: true });
    const where = error.fileSource
      ? `${error.fileSource}${error.lineNumber === null ? '' : `:${error.lineNumber}`}`
      : ctx.t('common.unknown');
    await ctx.reply(
      ctx.t('dev.error.found', {
        code: error.errorCode,
        type: error.errorType,
        message: clipText(error.message, 1000),
        command: error.command ?? ctx.t('common.none'),
        when: formatDate(error.timestamp, ctx.language),
        where,
      }),
      { ephemeral: true },
    );
  },

  async stats(ctx) {
    const stats = await ctx.db.getStats();
    const cache = ctx.db.getCacheStats();
    const cacheText = cache.enabled
      ? ctx.t('dev.stats.cache', {
          localHits: cache.local.hits,
          localMisses: cache.local.misses,
          redisHits: cache.redis.hits,
          redisMisses: cache.redis.misses,
          databaseLoads: cache.database.loads,
        })
      : ctx.t('dev.stats.cacheOff');
    await ctx.reply(
      ctx.t('dev.stats', {
        users: stats.users,
        premium: stats.premiumUsers,
        beta: stats.betaUsers,
        blacklisted: stats.blacklistedUsers,
        guilds: stats.guilds,
        activeGuilds: stats.activeGuilds,
        errors: stats.errors,
        cache: cacheText,
      }) + (await fleetText(ctx)),
      { ephemeral: true },
    );
  },

  async blacklist(ctx) {
    const id = assertSnowflake(ctx.interaction.options.getString('user', true).trim(), 'User ID');
    const remove = ctx.interaction.options.getBoolean('remove') ?? false;
    const reason = ctx.interaction.options.getString('reason', true);
    const result = await ctx.db.setAttribute('user', id, 'BLACKLISTED', !remove, ctx.interaction.user.id, reason);
    const key = !result.changed ? 'dev.blacklist.unchanged' : remove ? 'dev.blacklist.removed' : 'dev.blacklist.added';
    await ctx.reply(ctx.t(key, { id }), { ephemeral: true });
  },
};

export const devCommand: Command = {
  data: new SlashCommandBuilder()
    .setName('dev')
    .setDescription("Moddy's developer tools")
    .addSubcommandGroup((group) =>
      group
        .setName('attribute')
        .setDescription('Attributes of users and servers')
        .addSubcommand((sub) =>
          withReason(withName(withTarget(sub.setName('set').setDescription('Set an attribute')))).addStringOption((o) =>
            o.setName('value').setDescription('Value of a valued attribute (LANG: FR or EN)'),
          ),
        )
        .addSubcommand((sub) => withReason(withName(withTarget(sub.setName('remove').setDescription('Remove an attribute')))))
        .addSubcommand((sub) => withName(withTarget(sub.setName('get').setDescription('Read an attribute'))))
        .addSubcommand((sub) => withTarget(sub.setName('list').setDescription('List the attributes'))),
    )
    .addSubcommand((sub) =>
      sub
        .setName('error')
        .setDescription('Show a stored error')
        .addStringOption((o) => o.setName('code').setDescription('The 8-character error code').setRequired(true)),
    )
    .addSubcommand((sub) => sub.setName('stats').setDescription('Database and cache statistics'))
    .addSubcommand((sub) =>
      withReason(
        sub
          .setName('blacklist')
          .setDescription('Blacklist a user (or lift it)')
          .addStringOption((o) => o.setName('user').setDescription('User ID').setRequired(true)),
      ).addBooleanOption((o) => o.setName('remove').setDescription('Lift the blacklist instead')),
    ),
  permission: 'developer',

  async run(ctx) {
    const path = commandPath(ctx.interaction).slice('dev '.length);
    const handler = handlers[path];
    if (!handler) throw new Error(`No handler for /dev ${path}`);
    await handler(ctx);
  },
};
