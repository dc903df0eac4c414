import type { APIGuildMember, APIUser, GuildMemberFlags, UserFlags } from 'discord.js';
import type { GuildRecord, UserRecord } from '../types';

export function userPayload(user: UserRecord): APIUser {
  return {
    id: user.id,
    username: user.username,
    global_name: user.globalName,
    discriminator: '0',
    avatar: user.avatar,
    bot: user.bot,
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
  };
}

type Membership = GuildRecord['members'][number];

/** A guild member as REST and GUILD_CREATE send it (with its user). */
export function memberPayload(member: Membership, user: UserRecord): APIGuildMember {
  return {
    user: userPayload(user),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: member.roles,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
}
