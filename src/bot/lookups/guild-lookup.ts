import type { REST } from '@discordjs/rest';
import { CDN } from '@discordjs/rest';
import { Routes, type APIGuild, type APIGuildPreview } from 'discord.js';
import { assertSnowflake, snowflakeDate } from '../../core/snowflake';
import type { CachedGuild, CachedGuildInput, JsonObject, ModdyDatabase } from '../../db/api';
import { DEFAULT_LOOKUP_DEADLINE_MS, withinDeadline } from './discord-deadline';
import { storableJson, storableText } from '../../core/storable';
import { isNotVisible } from './not-visible';

/** Where a lookup's answer came from: the `guilds_cache` table, the guild itself (bot is a member) or its public preview. */
export type GuildLookupSource = 'cache' | 'bot' | 'preview';

export type GuildLookupResult = { found: true; source: GuildLookupSource; guild: CachedGuild } | { found: false };

export interface GuildLookupDeps {
  db: ModdyDatabase;
  rest: Pick<REST, 'get'>;
  /** A `guilds_cache` row younger than this answers without asking Discord. Default 7. */
  maxAgeDays?: number;
  /** Called once before Discord is asked (the command defers its reply there). */
  beforeRemote?: () => Promise<void>;
  /** How long Discord may take for the whole lookup, 429 waits included, before it fails with `DiscordBusyError`. Default 8000 ms. */
  deadlineMs?: number;
}

const cdn = new CDN();

/**
 * The design's guild lookup: a fresh `guilds_cache` row answers; else Discord is asked (the guild
 * itself when the bot is in it, else its public preview), and the answer is stored with
 * `update_source = api_call`. Unknown and private guilds are `{ found: false }`, not errors.
 */
export async function lookupGuild(id: string, deps: GuildLookupDeps): Promise<GuildLookupResult> {
  const guildId = assertSnowflake(id, 'Guild ID');
  const cached = await deps.db.getCachedGuild(guildId, deps.maxAgeDays ?? 7);
  if (cached) return { found: true, source: 'cache', guild: cached };
  await deps.beforeRemote?.();

  // The guilds table says where the bot is, across every cluster: no doomed 403 for the others.
  const row = await deps.db.getGuild(guildId);
  // One deadline for Discord's part of the lookup (both calls, 429 waits included), not for the database's.
  const deadline = Date.now() + (deps.deadlineMs ?? DEFAULT_LOOKUP_DEADLINE_MS);
  const ask = <T>(call: (signal: AbortSignal) => Promise<unknown>) =>
    fetchVisible(() => withinDeadline(Math.max(1, deadline - Date.now()), call) as Promise<T>);
  if (row && row.deactivatedAt === null) {
    const query = new URLSearchParams({ with_counts: 'true' });
    const guild = await ask<APIGuild>((signal) => deps.rest.get(Routes.guild(guildId), { query, signal }));
    if (guild) return { found: true, source: 'bot', guild: await store(deps.db, fromGuild(guild)) };
  }
  const preview = await ask<APIGuildPreview>((signal) => deps.rest.get(Routes.guildPreview(guildId), { signal }));
  if (preview) return { found: true, source: 'preview', guild: await store(deps.db, fromPreview(preview)) };
  return { found: false };
}

async function fetchVisible<T>(fetch: () => Promise<T>): Promise<T | null> {
  try {
    return await fetch();
  } catch (error) {
    if (isNotVisible(error)) return null;
    throw error;
  }
}

/** What a gateway guild or an API guild tells, in the cache's shape. */
export interface GuildFacts {
  id: string;
  name: string;
  icon: string | null;
  features: readonly string[];
  memberCount: number | null;
  raw: JsonObject;
}

export function iconUrl(guildId: string, icon: string | null): string | null {
  return icon ? cdn.icon(guildId, icon, { extension: 'png' }) : null;
}

/**
 * Discord's text is made storable here (NUL and lone surrogates become U+FFFD, see `storableText`):
 * the database refuses it as is, and a guild must not lose its cache entry, nor a lookup fail,
 * because of its name.
 */
export function toCachedGuildInput(facts: GuildFacts, updateSource: CachedGuildInput['updateSource']): CachedGuildInput {
  return {
    guildId: facts.id,
    name: storableText(facts.name),
    iconUrl: iconUrl(facts.id, facts.icon === null ? null : storableText(facts.icon)),
    features: facts.features.map(storableText),
    memberCount: facts.memberCount,
    updateSource,
    rawData: storableJson(facts.raw) as JsonObject,
  };
}

function fromGuild(guild: APIGuild): GuildFacts {
  return {
    id: guild.id,
    name: guild.name,
    icon: guild.icon,
    features: guild.features,
    memberCount: guild.approximate_member_count ?? null,
    raw: summary({
      id: guild.id,
      name: guild.name,
      icon: guild.icon,
      description: guild.description,
      features: guild.features,
      owner_id: guild.owner_id,
      approximate_member_count: guild.approximate_member_count ?? null,
      approximate_presence_count: guild.approximate_presence_count ?? null,
      premium_tier: guild.premium_tier,
      verification_level: guild.verification_level,
      vanity_url_code: guild.vanity_url_code,
      preferred_locale: guild.preferred_locale,
    }),
  };
}

function fromPreview(preview: APIGuildPreview): GuildFacts {
  return {
    id: preview.id,
    name: preview.name,
    icon: preview.icon,
    features: preview.features,
    memberCount: preview.approximate_member_count,
    raw: summary({
      id: preview.id,
      name: preview.name,
      icon: preview.icon,
      description: preview.description,
      features: preview.features,
      approximate_member_count: preview.approximate_member_count,
      approximate_presence_count: preview.approximate_presence_count,
    }),
  };
}

/** The scalar facts worth keeping (roles, emojis and stickers would bloat `raw_data`). */
function summary(fields: Record<string, string | number | boolean | null | undefined | readonly string[]>): JsonObject {
  const raw: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    raw[key] = Array.isArray(value) ? [...(value as readonly string[])] : (value as string | number | boolean | null);
  }
  return raw;
}

async function store(db: ModdyDatabase, facts: GuildFacts): Promise<CachedGuild> {
  const input = toCachedGuildInput(facts, 'api_call');
  await db.upsertCachedGuild(input);
  return {
    guildId: input.guildId,
    name: input.name,
    iconUrl: input.iconUrl ?? null,
    features: input.features ?? [],
    memberCount: input.memberCount ?? null,
    createdAt: snowflakeDate(input.guildId),
    lastUpdated: new Date(),
    updateSource: input.updateSource,
    rawData: input.rawData ?? {},
  };
}
