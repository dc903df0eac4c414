import type { Catalogue } from './catalogue';

/** The French catalogue: the same keys and placeholders as `en.ts`. */
export const fr: Catalogue = {
  'refusal.blacklisted': "Tu n'as pas le droit d'utiliser Moddy.",
  'refusal.guildOnly': 'Cette commande ne fonctionne que sur un serveur.',
  'refusal.manageGuild': 'Il te faut la permission **Gérer le serveur** pour utiliser cette commande.',
  'refusal.developer': 'Cette commande est réservée aux développeurs de Moddy.',
  'command.unknown': "Cette commande n'est pas disponible.",

  'error.unexpected': "Une erreur s'est produite. Si tu contactes l'équipe, donne-lui ce code : `{code}`.",
  'error.validation': "Cette saisie n'est pas valide.",
  'error.INVALID_ID': "`{value}` n'est pas un identifiant Discord valide.",
  'error.UNKNOWN_ATTRIBUTE': "Aucun attribut ne s'appelle `{attribute}`.",
  'error.ATTRIBUTE_WRONG_ENTITY': "L'attribut `{attribute}` ne s'applique pas à un {entity}.",
  'error.INVALID_ATTRIBUTE_VALUE': "L'attribut `{attribute}` attend {expected}.",
  'error.INVALID_ERROR_CODE': "`{value}` n'est pas un code d'erreur (8 lettres et chiffres, comme `AB12CD34`).",
  'error.INVALID_PREFIX': 'Un préfixe fait de 1 à {max} caractères, sans espace.',
  'error.DISCORD_BUSY': 'Discord est surchargé en ce moment (trop de requêtes). Réessaie dans quelques secondes.',

  'common.none': 'aucun',
  'common.unknown': 'inconnu',
  'common.yes': 'oui',
  'common.no': 'non',
  'entity.user': 'utilisateur',
  'entity.guild': 'serveur',

  'guild.lookup.result': '**{name}** (`{id}`)\nMembres : {members}\nFonctionnalités : {features}\nCréé le : {created}\nSource : {source}',
  'guild.lookup.notFound': "Discord ne montre rien pour le serveur `{id}` : il n'existe pas, ou il est privé et Moddy n'y est pas.",
  'guild.source.cache': 'le cache de Moddy (appris via {origin}, mis à jour {age})',
  'guild.source.bot': 'Discord, serveur où Moddy est présent (récupéré {age})',
  'guild.source.preview': "l'aperçu public du serveur sur Discord (récupéré {age})",
  'guild.origin.bot_join': "l'arrivée du bot",
  'guild.origin.user_profile': "le profil d'un utilisateur",
  'guild.origin.api_call': "un appel à l'API Discord",
  'guild.origin.manual': 'une saisie manuelle',
  'guild.origin.scheduled': 'une mise à jour planifiée',

  'user.lookup.result': "**{name}** (`{id}`)\nNom d'utilisateur : {username}\nBot : {bot}\nCompte créé le : {created}\nSource : {source}",
  'user.lookup.notFound': 'Discord ne connaît aucun utilisateur `{id}`.',
  'user.source.cache': 'Discord, via le cache des recherches (récupéré {age})',
  'user.source.discord': 'Discord (récupéré {age})',

  'config.prefix.set': 'Le préfixe de ce serveur est maintenant `{prefix}`.',
  'config.show': 'Configuration de ce serveur\nPréfixe : {prefix}',
  'config.prefix.unset': 'non défini',

  'dev.attribute.set': '{entity} `{id}` : {attribute} = `{value}` (avant : `{old}`). Raison enregistrée.',
  'dev.attribute.removed': '{entity} `{id}` : {attribute} retiré (avant : `{old}`). Raison enregistrée.',
  'dev.attribute.unchanged': '{entity} `{id}` : {attribute} valait déjà `{value}` ; rien n’a changé.',
  'dev.attribute.get': '{entity} `{id}` : {attribute} = `{value}`',
  'dev.attribute.list': 'Attributs de {entity} `{id}` : {attributes}',
  'dev.error.notFound': "Aucune erreur enregistrée n'a le code `{code}`.",
  'dev.error.found': 'Erreur `{code}`\nType : {type}\nMessage : {message}\nCommande : {command}\nQuand : {when}\nOù : {where}',
  'dev.stats':
    'Utilisateurs : {users} ({premium} premium, {beta} bêta, {blacklisted} sur liste noire)\nServeurs : {guilds} ({activeGuilds:plural:one=# actif;other=# actifs})\nErreurs enregistrées : {errors}\nCache : {cache}',
  'dev.stats.cacheOff': 'désactivé',
  'dev.stats.fleet':
    'Flotte : {alive}/{hosts} hôtes en service, {guilds} serveurs, {connected}/{total} shards connectés, {unowned} sans hôte vivant',
  'dev.stats.host':
    '• {host} : shards {shards}, {guilds} serveurs, {ready}/{clusters} clusters prêts, {connected} connectés, version {version}',
  'dev.stats.hostDown': '• {host} : arrêté, dernier signe <t:{lastBeat}:R>',
  'dev.stats.cache':
    'local {localHits:plural:one=# succès;other=# succès} / {localMisses:plural:one=# échec;other=# échecs}, Redis {redisHits:plural:one=# succès;other=# succès} / {redisMisses:plural:one=# échec;other=# échecs}, {databaseLoads:plural:one=# lecture en base;other=# lectures en base}',
  'dev.blacklist.added': "L'utilisateur `{id}` est maintenant sur liste noire. Raison enregistrée.",
  'dev.blacklist.removed': "L'utilisateur `{id}` n'est plus sur liste noire. Raison enregistrée.",
  'dev.blacklist.unchanged': "L'utilisateur `{id}` était déjà dans cet état ; rien n'a changé.",
};
