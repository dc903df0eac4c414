import { PermissionFlagsBits } from 'discord.js';

const ALL = (1n << 64n) - 1n;

export interface Overwrite {
  id: string;
  /** 0: role, 1: member. */
  type: number;
  allow: string;
  deny: string;
}

export interface PermissionInputs {
  guildId: string;
  ownerId: string;
  /** Every role of the guild: `@everyone` has the guild's ID. */
  roles: readonly { id: string; permissions: string }[];
  member: { userId: string; roles: readonly string[] };
  overwrites: readonly Overwrite[];
}

/** The member's permissions in a channel, computed as Discord does: base (roles), then @everyone, role and member overwrites. */
export function channelPermissions(inputs: PermissionInputs): bigint {
  if (inputs.member.userId === inputs.ownerId) return ALL;
  let base = 0n;
  for (const role of inputs.roles) {
    if (role.id === inputs.guildId || inputs.member.roles.includes(role.id)) base |= BigInt(role.permissions);
  }
  if (base & PermissionFlagsBits.Administrator) return ALL;
  const apply = (permissions: bigint, overwrite: Overwrite | undefined) =>
    overwrite ? (permissions & ~BigInt(overwrite.deny)) | BigInt(overwrite.allow) : permissions;
  let permissions = apply(
    base,
    inputs.overwrites.find((overwrite) => overwrite.id === inputs.guildId),
  );
  let allow = 0n;
  let deny = 0n;
  for (const overwrite of inputs.overwrites) {
    if (overwrite.type === 0 && overwrite.id !== inputs.guildId && inputs.member.roles.includes(overwrite.id)) {
      allow |= BigInt(overwrite.allow);
      deny |= BigInt(overwrite.deny);
    }
  }
  permissions = (permissions & ~deny) | allow;
  return apply(
    permissions,
    inputs.overwrites.find((overwrite) => overwrite.type === 1 && overwrite.id === inputs.member.userId),
  );
}
