import { clientReadyListener } from './client-ready';
import { guildCreateListener } from './guild-create';
import { guildDeleteListener } from './guild-delete';
import { guildUpdateListener } from './guild-update';
import type { Listener } from './listener';

/** Every gateway event the bot handles (interactions are the dispatcher's, see `client.ts`). */
export const LISTENERS: readonly Listener[] = [clientReadyListener, guildCreateListener, guildUpdateListener, guildDeleteListener];

export type { Listener, ListenerDeps } from './listener';
