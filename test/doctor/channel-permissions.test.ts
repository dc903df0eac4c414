import { PermissionFlagsBits } from 'discord.js';
import { channelPermissions, type PermissionInputs } from '../../src/doctor/channel-permissions';

const GUILD = '1';
const ROLE = '2';
const BOT = '3';
const SEND = PermissionFlagsBits.SendMessages;
const VIEW = PermissionFlagsBits.ViewChannel;

const inputs = (overrides: Partial<PermissionInputs>): PermissionInputs => ({
  guildId: GUILD,
  ownerId: '9',
  roles: [
    { id: GUILD, permissions: String(VIEW | SEND) },
    { id: ROLE, permissions: '0' },
  ],
  member: { userId: BOT, roles: [ROLE] },
  overwrites: [],
  ...overrides,
});
const has = (permissions: bigint, bit: bigint) => (permissions & bit) === bit;

describe('channelPermissions (as Discord computes them)', () => {
  it('starts from @everyone and the member roles', () => {
    expect(has(channelPermissions(inputs({})), SEND)).toBe(true);
  });

  it('applies @everyone, then role, then member overwrites', () => {
    const everyoneDenied = inputs({ overwrites: [{ id: GUILD, type: 0, allow: '0', deny: String(SEND) }] });
    expect(has(channelPermissions(everyoneDenied), SEND)).toBe(false);
    const roleAllowed = inputs({ overwrites: [...everyoneDenied.overwrites, { id: ROLE, type: 0, allow: String(SEND), deny: '0' }] });
    expect(has(channelPermissions(roleAllowed), SEND)).toBe(true);
    const memberDenied = inputs({ overwrites: [...roleAllowed.overwrites, { id: BOT, type: 1, allow: '0', deny: String(SEND) }] });
    expect(has(channelPermissions(memberDenied), SEND)).toBe(false);
  });

  it('gives administrators and the owner everything, whatever the overwrites', () => {
    const deny = [{ id: GUILD, type: 0, allow: '0', deny: String(SEND | VIEW) }];
    const admin = inputs({
      roles: [
        { id: GUILD, permissions: '0' },
        { id: ROLE, permissions: String(PermissionFlagsBits.Administrator) },
      ],
      overwrites: deny,
    });
    expect(has(channelPermissions(admin), SEND | VIEW)).toBe(true);
    expect(has(channelPermissions(inputs({ ownerId: BOT, overwrites: deny })), SEND | VIEW)).toBe(true);
  });
});
