/**
 * The English catalogue: the reference one. Every key must exist in `fr.ts` with the same
 * `{placeholders}` (the compiler checks the keys, `test/bot/catalogues.test.ts` the placeholders).
 */
export const en = {
  'refusal.blacklisted': 'You are not allowed to use Moddy.',
  'refusal.guildOnly': 'This command only works in a server.',
  'refusal.manageGuild': 'You need the **Manage Server** permission to use this command.',
  'refusal.developer': "This command is reserved for Moddy's developers.",
  'command.unknown': 'This command is not available.',

  'error.unexpected': 'Something went wrong. If you contact the team, give them this code: `{code}`.',
  'error.validation': 'That input is not valid.',
  'error.INVALID_ID': '`{value}` is not a valid Discord ID.',
  'error.UNKNOWN_ATTRIBUTE': 'There is no attribute named `{attribute}`.',
  'error.ATTRIBUTE_WRONG_ENTITY': 'The attribute `{attribute}` does not apply to a {entity}.',
  'error.INVALID_ATTRIBUTE_VALUE': 'The attribute `{attribute}` expects {expected}.',
  'error.INVALID_ERROR_CODE': '`{value}` is not an error code (8 letters and digits, like `AB12CD34`).',
  'error.INVALID_PREFIX': 'A prefix is 1 to {max} characters long, without spaces.',
  'error.DISCORD_BUSY': 'Discord is busy right now (too many requests). Please try again in a few seconds.',

  'common.none': 'none',
  'common.unknown': 'unknown',
  'common.yes': 'yes',
  'common.no': 'no',
  'entity.user': 'user',
  'entity.guild': 'server',

  'guild.lookup.result': '**{name}** (`{id}`)\nMembers: {members}\nFeatures: {features}\nCreated: {created}\nSource: {source}',
  'guild.lookup.notFound': 'Discord shows nothing for the server `{id}`: it does not exist, or it is private and Moddy is not in it.',
  'guild.source.cache': "Moddy's cache (learned through {origin}, updated {age})",
  'guild.source.bot': 'Discord, as a server Moddy is in (fetched {age})',
  'guild.source.preview': "Discord's public server preview (fetched {age})",
  'guild.origin.bot_join': 'the bot joining',
  'guild.origin.user_profile': 'a user profile',
  'guild.origin.api_call': 'a Discord API call',
  'guild.origin.manual': 'a manual entry',
  'guild.origin.scheduled': 'a scheduled refresh',

  'user.lookup.result': '**{name}** (`{id}`)\nUsername: {username}\nBot: {bot}\nAccount created: {created}\nSource: {source}',
  'user.lookup.notFound': 'Discord knows no user `{id}`.',
  'user.source.cache': 'Discord, through the lookup cache (fetched {age})',
  'user.source.discord': 'Discord (fetched {age})',

  'config.prefix.set': 'The prefix of this server is now `{prefix}`.',
  'config.show': 'Configuration of this server\nPrefix: {prefix}',
  'config.prefix.unset': 'not set',

  'dev.attribute.set': '{entity} `{id}`: {attribute} = `{value}` (was `{old}`). Reason recorded.',
  'dev.attribute.removed': '{entity} `{id}`: {attribute} removed (was `{old}`). Reason recorded.',
  'dev.attribute.unchanged': '{entity} `{id}`: {attribute} was already `{value}`; nothing changed.',
  'dev.attribute.get': '{entity} `{id}`: {attribute} = `{value}`',
  'dev.attribute.list': 'Attributes of {entity} `{id}`: {attributes}',
  'dev.error.notFound': 'No stored error has the code `{code}`.',
  'dev.error.found': 'Error `{code}`\nType: {type}\nMessage: {message}\nCommand: {command}\nWhen: {when}\nWhere: {where}',
  'dev.stats':
    'Users: {users} ({premium} premium, {beta} beta, {blacklisted} blacklisted)\nServers: {guilds} ({activeGuilds} active)\nStored errors: {errors}\nCache: {cache}',
  'dev.stats.cacheOff': 'off',
  'dev.stats.fleet':
    'Fleet: {alive}/{hosts} hosts up, {guilds} guilds, {connected}/{total} shards connected, {unowned} without a live host',
  'dev.stats.host':
    '• {host}: shards {shards}, {guilds} guilds, {ready}/{clusters} clusters ready, {connected} connected, version {version}',
  'dev.stats.hostDown': '• {host}: down, last beat <t:{lastBeat}:R>',
  'dev.stats.cache':
    'local {localHits:plural:one=# hit;other=# hits} / {localMisses:plural:one=# miss;other=# misses}, Redis {redisHits:plural:one=# hit;other=# hits} / {redisMisses:plural:one=# miss;other=# misses}, {databaseLoads:plural:one=# database read;other=# database reads}',
  'dev.blacklist.added': 'User `{id}` is now blacklisted. Reason recorded.',
  'dev.blacklist.removed': 'User `{id}` is no longer blacklisted. Reason recorded.',
  'dev.blacklist.unchanged': 'User `{id}` was already in that state; nothing changed.',
} as const;
