import type { APIUser } from 'discord.js';
import type { UserRecord } from '../types';
import { userPayload } from './user';

/** What a message's content mentions, as Discord fills `mentions`, `mention_roles` and `mention_everyone`. */
export interface Mentions {
  users: APIUser[];
  roles: string[];
  everyone: boolean;
}

const USER_MENTION = /<@!?(\d{15,21})>/g;
const ROLE_MENTION = /<@&(\d{15,21})>/g;

/** Parses `<@id>`, `<@!id>`, `<@&id>` and `@everyone`/`@here`; unknown users are left out, as on Discord. */
export function mentionsIn(content: string | null | undefined, users: { user(id: string): UserRecord | undefined }): Mentions {
  const text = content ?? '';
  const userIds = new Set([...text.matchAll(USER_MENTION)].map((match) => match[1] ?? ''));
  return {
    users: [...userIds].flatMap((id) => {
      const user = users.user(id);
      return user ? [userPayload(user)] : [];
    }),
    roles: [...new Set([...text.matchAll(ROLE_MENTION)].map((match) => match[1] ?? ''))],
    everyone: /@(everyone|here)\b/.test(text),
  };
}
