import type { REST } from '@discordjs/rest';
import { Routes, type APIUser } from 'discord.js';
import type { RedisConnection } from '../../redis';
import { assertSnowflake } from '../../core/snowflake';
import { DEFAULT_LOOKUP_DEADLINE_MS, withinDeadline } from './discord-deadline';
import { isNotVisible } from './not-visible';

/** The facts `/user lookup` shows, as cached. */
export interface DiscordUserSummary {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export type UserLookupResult =
  | { found: true; source: 'cache' | 'discord'; user: DiscordUserSummary; fetchedAt: Date }
  | { found: false; source: 'cache' | 'discord'; fetchedAt: Date };

export interface UserLookupOptions {
  redis: RedisConnection;
  rest: Pick<REST, 'get'>;
  /** Keys are `<prefix>:discord:user:<id>` (never `<prefix>:v<n>:…`, which the cache tier owns). */
  prefix: string;
  /** How long a fetched user (or an unknown ID) is reused. Default 300 s. */
  ttlSeconds?: number;
  logger?: { warn(details: object, message: string): void };
  /** How long Discord may take, 429 waits included, before the lookup fails with `DiscordBusyError`. Default 8000 ms. */
  deadlineMs?: number;
}

interface StoredLookup {
  fetchedAt: number;
  user: DiscordUserSummary | null;
}

/**
 * `GET /users/:id` behind a short Redis cache shared by every shard. Redis trouble never fails a
 * lookup: it is logged and Discord is asked directly.
 */
export class UserLookup {
  private readonly ttlSeconds: number;

  constructor(private readonly options: UserLookupOptions) {
    this.ttlSeconds = options.ttlSeconds ?? 300;
  }

  key(id: string): string {
    return `${this.options.prefix}:discord:user:${id}`;
  }

  /** `beforeRemote` is called once before Discord is asked (the command defers its reply there). */
  async lookup(id: string, beforeRemote?: () => Promise<void>): Promise<UserLookupResult> {
    const userId = assertSnowflake(id, 'User ID');
    const cached = await this.readCache(userId);
    if (cached) return toResult(cached, 'cache');
    await beforeRemote?.();

    let user: DiscordUserSummary | null = null;
    try {
      const deadlineMs = this.options.deadlineMs ?? DEFAULT_LOOKUP_DEADLINE_MS;
      user = summarise((await withinDeadline(deadlineMs, (signal) => this.options.rest.get(Routes.user(userId), { signal }))) as APIUser);
    } catch (error) {
      if (!isNotVisible(error)) throw error;
    }
    const stored: StoredLookup = { fetchedAt: Date.now(), user };
    await this.writeCache(userId, stored);
    return toResult(stored, 'discord');
  }

  private async readCache(id: string): Promise<StoredLookup | null> {
    try {
      const raw = await this.options.redis.get(this.key(id));
      return raw === null ? null : (JSON.parse(raw) as StoredLookup);
    } catch (error) {
      this.options.logger?.warn({ err: error, userId: id }, 'user lookup cache unreadable; asking Discord');
      return null;
    }
  }

  private async writeCache(id: string, stored: StoredLookup): Promise<void> {
    try {
      await this.options.redis.set(this.key(id), JSON.stringify(stored), 'EX', this.ttlSeconds);
    } catch (error) {
      this.options.logger?.warn({ err: error, userId: id }, 'user lookup not cached');
    }
  }
}

function summarise(user: APIUser): DiscordUserSummary {
  return { id: user.id, username: user.username, globalName: user.global_name ?? null, bot: user.bot === true };
}

function toResult(stored: StoredLookup, source: 'cache' | 'discord'): UserLookupResult {
  const fetchedAt = new Date(stored.fetchedAt);
  return stored.user ? { found: true, source, user: stored.user, fetchedAt } : { found: false, source, fetchedAt };
}
