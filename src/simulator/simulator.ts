import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIMessage } from 'discord.js';
import type { Logger } from 'pino';
import { createLogger } from '../core/logger';
import { CommandRegistry } from './commands';
import { SimulatorInputError } from './simulator-errors';
import { FaultInjector, type FaultRule } from './faults';
import { GatewayServer, type GatewayFrame, type GatewaySession, type ReadyContext, type ReadyResult } from './gateway/gateway-server';
import { IdentifyPacer, type SessionStart } from './gateway/identify-pacer';
import { RateLimiter } from './rate-limits/rate-limiter';
import { createHttpApp, type RequestRecord } from './http-routes';
import { interactionTopic, InteractionTracker, newInteractionToken, type CallbackRecord, type InteractionReply } from './interactions';
import { resolveOptions, type DiscordSimulatorOptions, type ResolvedSimulatorOptions } from './options';
import { guildCreatePayload, guildPayload } from './payloads/guild';
import { DEFAULT_APP_PERMISSIONS, chatInputInteractionPayload, type OptionValue } from './payloads/interaction';
import { userPayload } from './payloads/user';
import { shardForGuild } from './snowflake';
import { SimulatorStore } from './store';
import type { GuildRecord, GuildSeed, UserRecord, UserSeed } from './types';

const DEFAULT_WAIT_MS = 5000;

export interface SendInteractionOptions {
  /** The invoking user: an existing user's ID, or a user to add. */
  user: string | UserSeed;
  /** The guild it happens in; absent means the bot's DM with the user. */
  guildId?: string;
  /** Default: the guild's first text channel (DM: the bot's DM channel with the user). */
  channelId?: string;
  /** The member's permission bitfield (e.g. Manage Guild = `String(1 << 5)`). Default: from their roles; the owner has all. */
  permissions?: string;
  /** The member's role IDs. Default: their membership's roles. */
  roles?: string[];
  /** The user's client locale. Default: en-US. */
  locale?: string;
  /** Default: the guild's preferred locale. */
  guildLocale?: string;
  /** The bot's permissions in the channel. Default: a broad moderation set. */
  appPermissions?: string;
  command: string;
  subcommandGroup?: string;
  subcommand?: string;
  options?: Record<string, OptionValue>;
}

/** What `sendInteraction` returns: the dispatched payload and ways to observe the bot's answer. */
export interface InteractionHandle {
  id: string;
  token: string;
  payload: ReturnType<typeof chatInputInteractionPayload>;
  /** The final reply: the callback message, or the original after a deferral is edited (or followed up). */
  response(timeoutMs?: number): Promise<InteractionReply>;
  followUps(): APIMessage[];
  waitForFollowUps(count: number, timeoutMs?: number): Promise<APIMessage[]>;
  callbacks(): CallbackRecord[];
}

/**
 * A local Discord: REST API v10 under `/api` and the gateway on the same port, plus a control API
 * for tests and the demo. Development/test tool only; see docs/simulator.md.
 */
export class DiscordSimulator {
  readonly options: ResolvedSimulatorOptions;
  readonly store: SimulatorStore;
  private readonly logger: Logger;
  private readonly interactions: InteractionTracker;
  private readonly commands: CommandRegistry;
  private readonly gateway: GatewayServer;
  private readonly requestLog: RequestRecord[] = [];
  private readonly faults = new FaultInjector();
  private readonly pacer: IdentifyPacer;
  private readonly rateLimiter: RateLimiter;
  private readonly server: Server;
  private baseUrl: string | null = null;

  constructor(options: DiscordSimulatorOptions = {}) {
    this.options = resolveOptions(options);
    this.logger = options.logger ?? createLogger('simulator');
    const { botUser, applicationId } = this.options;
    this.store = new SimulatorStore({ id: botUser.id, username: botUser.username, globalName: null, avatar: null, bot: true });
    for (const user of this.options.users) this.store.putUser(user);
    for (const guild of this.options.guilds) this.store.putGuild(guild);
    this.interactions = new InteractionTracker(
      this.store,
      applicationId,
      () => this.botUserPayload(),
      this.options.interactionResponseWindowMs,
    );
    this.commands = new CommandRegistry(applicationId, this.store.snowflakes);
    this.pacer = new IdentifyPacer({
      maxConcurrency: this.options.maxConcurrency,
      windowMs: this.options.identifyWindowMs,
      sessionStartLimit: this.options.sessionStartLimit,
    });
    this.rateLimiter = new RateLimiter(this.options.rateLimits);
    this.gateway = new GatewayServer({
      token: this.options.token,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      heartbeatTimeoutMs: this.options.heartbeatTimeoutMs,
      sendLimit: this.options.gatewaySendLimit,
      applicationFlags: this.options.applicationFlags,
      pacer: this.pacer,
      logger: this.logger,
      changes: this.store.changes,
      ready: (context) => this.readyFor(context),
    });
    const app = createHttpApp({
      token: this.options.token,
      applicationId,
      store: this.store,
      interactions: this.interactions,
      commands: this.commands,
      requests: this.requestLog,
      gatewayUrl: () => this.gatewayUrl,
      recommendedShards: this.options.recommendedShards,
      maxConcurrency: this.options.maxConcurrency,
      sessionStarts: () => this.pacer.sessionStarts(),
      applicationFlags: this.options.applicationFlags,
      botUser: () => this.botUserPayload(),
      faults: this.faults,
      rateLimiter: this.rateLimiter,
    });
    this.server = createServer(app);
    this.server.on('upgrade', (request, socket, head) => {
      // Clients append a slash to the gateway URL before the query (oceanic.js, eris): both spellings work.
      if (!['/gateway', '/gateway/'].includes(new URL(request.url ?? '/', 'http://localhost').pathname)) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      this.gateway.handleUpgrade(request, socket, head, this.gatewayUrl);
    });
  }

  /** Starts listening; resolves with the base URL (`http://host:port`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    // A wildcard listen address is not something a client can connect to.
    const host = ['0.0.0.0', '::'].includes(this.options.host) ? '127.0.0.1' : this.options.host;
    this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.logger.info({ url: this.baseUrl, api: this.apiUrl, gateway: this.gatewayUrl }, 'Discord simulator listening');
    return this.baseUrl;
  }

  /** Closes every gateway socket and HTTP connection, then the server. */
  async stop(): Promise<void> {
    this.gateway.close();
    this.server.closeAllConnections();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get url(): string {
    if (!this.baseUrl) throw new SimulatorInputError('the simulator is not started');
    return this.baseUrl;
  }

  /** The `rest.api` base for discord.js (`DISCORD_API_URL`). */
  get apiUrl(): string {
    return `${this.url}/api`;
  }

  get gatewayUrl(): string {
    return `${this.url.replace(/^http/, 'ws')}/gateway`;
  }

  // ---- control API: world state ----

  /** The bot joins a guild (added or re-joined): GUILD_CREATE on its shard; REST can see it. */
  addGuild(seed: GuildSeed): GuildRecord {
    const guild = this.store.putGuild({ ...seed, botInGuild: true, joinedAt: seed.joinedAt ?? new Date().toISOString() });
    this.gateway.dispatchForGuild(guild.id, 'GUILD_CREATE', (session) =>
      guildCreatePayload(guild, this.store.users, session.largeThreshold),
    );
    return guild;
  }

  /** Changes a guild: GUILD_UPDATE if the bot is in it. */
  updateGuild(id: string, patch: Partial<Omit<GuildSeed, 'id' | 'botInGuild'>>): GuildRecord {
    const guild = this.store.patchGuild(id, patch);
    if (guild.botInGuild) this.gateway.dispatchForGuild(guild.id, 'GUILD_UPDATE', guildPayload(guild));
    return guild;
  }

  /** The bot leaves (is removed from) a guild: GUILD_DELETE without `unavailable`. The guild still exists. */
  removeGuild(id: string): void {
    const guild = this.store.guild(id);
    if (!guild?.botInGuild) throw new SimulatorInputError(`the bot is not in guild ${id}`);
    this.store.setBotInGuild(id, false);
    this.gateway.dispatchForGuild(id, 'GUILD_DELETE', { id });
  }

  addUser(seed: UserSeed): UserRecord {
    return this.store.putUser(seed);
  }

  // ---- control API: interactions ----

  /** Dispatches a CHAT_INPUT interaction on the right shard; the handle observes the bot's answer. */
  sendInteraction(options: SendInteractionOptions): InteractionHandle {
    const user = typeof options.user === 'string' ? this.store.user(options.user) : this.store.putUser(options.user);
    if (!user) throw new SimulatorInputError(`unknown user ${String(options.user)}; add it first`);
    const guild = options.guildId ? this.store.guild(options.guildId) : null;
    if (options.guildId && !guild?.botInGuild) throw new SimulatorInputError(`the bot is not in guild ${options.guildId}`);
    const channel = this.interactionChannel(guild ?? null, user, options.channelId);
    if (guild) this.store.ensureMember(guild, user.id);
    const registered = this.commands.find(options.command, guild?.id);
    const id = this.store.snowflakes.next();
    const payload = chatInputInteractionPayload({
      id,
      token: newInteractionToken(),
      applicationId: this.options.applicationId,
      commandId: registered?.id ?? this.store.snowflakes.next(),
      commandGuildId: registered?.guild_id ?? null,
      user,
      guild: guild ?? null,
      channel,
      permissions: options.permissions,
      roles: options.roles,
      locale: options.locale ?? 'en-US',
      guildLocale: options.guildLocale,
      appPermissions: options.appPermissions ?? DEFAULT_APP_PERMISSIONS,
      command: options.command,
      subcommandGroup: options.subcommandGroup,
      subcommand: options.subcommand,
      options: options.options ?? {},
      users: this.store.users,
    });
    this.interactions.track(payload, channel.id);
    if (this.gateway.dispatchForGuild(guild?.id ?? null, 'INTERACTION_CREATE', payload) === 0) {
      const shard = guild ? `shard ${shardForGuild(guild.id, this.shardCountHint())} of guild ${guild.id}` : 'shard 0 (DMs)';
      throw new SimulatorInputError(`no gateway session for ${shard}: connect the bot first`);
    }
    const changes = this.store.changes;
    return {
      id,
      token: payload.token,
      payload,
      response: (timeoutMs = DEFAULT_WAIT_MS) =>
        changes.waitFor(
          () => this.interactions.reply(id),
          timeoutMs,
          `the reply to /${options.command} (interaction ${id})`,
          interactionTopic(id),
        ),
      followUps: () => this.interactions.followUps(id),
      waitForFollowUps: (count, timeoutMs = DEFAULT_WAIT_MS) =>
        changes.waitFor(
          () => {
            const list = this.interactions.followUps(id);
            return list.length >= count ? list : undefined;
          },
          timeoutMs,
          `${count} follow-up(s) to interaction ${id}`,
          interactionTopic(id),
        ),
      callbacks: () => this.interactions.callbacks(id),
    };
  }

  /**
   * Makes matching REST requests fail (default 500: a Discord outage) until the returned function
   * is called. For testing how the bot copes with Discord errors.
   */
  failRequests(rule: FaultRule): () => void {
    return this.faults.add(rule);
  }

  // ---- control API: observation ----

  /** Messages in a channel, oldest first: posted with `POST /channels/:id/messages` or non-ephemeral interaction answers. */
  messages(channelId: string): APIMessage[] {
    return this.store.messages(channelId);
  }

  waitForMessage(
    channelId: string,
    predicate: (message: APIMessage) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<APIMessage> {
    return this.store.changes.waitFor(
      () => this.store.messages(channelId).find(predicate),
      timeoutMs,
      `a matching message in channel ${channelId}`,
    );
  }

  registeredCommands(): ReturnType<CommandRegistry['snapshot']> {
    return this.commands.snapshot();
  }

  /** Connected shards as `[shardId, shardCount]`, by shard ID. */
  connectedShards(): [number, number][] {
    return this.gateway.connectedShards();
  }

  waitForShards(count: number, timeoutMs = 15_000): Promise<[number, number][]> {
    return this.store.changes.waitFor(
      () => {
        const shards = this.connectedShards();
        return shards.length >= count ? shards : undefined;
      },
      timeoutMs,
      `${count} connected shard(s)`,
    );
  }

  /** The HTTP requests received, oldest first: every one, or at least the newest 10,000 in a long run. */
  requests(): readonly RequestRecord[] {
    return this.requestLog;
  }

  /** Requests no route matched: what the bot called that the simulator does not implement. */
  unknownRequests(): RequestRecord[] {
    return this.requestLog.filter((request) => request.unknownRoute);
  }

  /** Gateway frames received from clients (heartbeats, identifies, resumes…). */
  gatewayFrames(): readonly GatewayFrame[] {
    return this.gateway.frames;
  }

  sessions(): readonly GatewaySession[] {
    return this.gateway.sessionList();
  }

  /**
   * Closes a shard's gateway socket with `code` (4000 by default: discord.js then RESUMEs); a fatal
   * code (4004, 4010-4014: bad token, shard, sharding, API version, intents) also ends its session.
   */
  disconnectShard(shardId: number, code?: number): boolean {
    return this.gateway.disconnectShard(shardId, code);
  }

  /** Sends op 1 HEARTBEAT to a shard: it must heartbeat at once. False if the shard is not connected. */
  requestHeartbeat(shardId: number): boolean {
    return this.gateway.requestHeartbeat(shardId);
  }

  /** Sends op 7 RECONNECT to a shard: it should reconnect and RESUME. */
  requestReconnect(shardId: number): boolean {
    return this.gateway.requestReconnect(shardId);
  }

  /** Sends op 9 INVALID_SESSION to a shard; `resumable: false` forgets the session, so the shard must IDENTIFY again. */
  invalidateSession(shardId: number, resumable: boolean): boolean {
    return this.gateway.invalidateSession(shardId, resumable);
  }

  /** Stops ACKing a shard's heartbeats (a zombie connection from the client's side) until `resumeHeartbeatAcks` or a RESUME. */
  stopHeartbeatAcks(shardId: number): boolean {
    return this.gateway.setHeartbeatAcks(shardId, false);
  }

  resumeHeartbeatAcks(shardId: number): boolean {
    return this.gateway.setHeartbeatAcks(shardId, true);
  }

  /** IDENTIFYs let through (time, shard, concurrency bucket), oldest first, and those refused for pacing. */
  identifyLog(): { starts: readonly SessionStart[]; refused: readonly (SessionStart & { sinceLastMs: number })[] } {
    return { starts: this.pacer.starts, refused: this.pacer.refused };
  }

  /** REST requests refused with 429 so far, by scope (`banned`: during an invalid-request ban). */
  rateLimitRefusals(): Readonly<Record<string, number>> {
    return { ...this.rateLimiter.refused };
  }

  private readyFor({ session, resumeUrl }: ReadyContext): ReadyResult {
    const guilds = this.store.joinedGuilds().filter((guild) => shardForGuild(guild.id, session.shardCount) === session.shardId);
    return {
      ready: {
        v: 10,
        user: { ...this.botUserPayload(), verified: true, mfa_enabled: false, email: null },
        guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
        session_id: session.id,
        session_type: 'normal',
        resume_gateway_url: resumeUrl,
        shard: [session.shardId, session.shardCount],
        application: { id: this.options.applicationId, flags: this.options.applicationFlags },
        private_channels: [],
        presences: [],
        relationships: [],
        guild_join_requests: [],
        user_settings: {},
        geo_ordered_rtc_regions: [],
        _trace: ['moddy-simulator'],
      },
      then: guilds.map((guild) => ({
        t: 'GUILD_CREATE',
        d: guildCreatePayload(guild, this.store.users, session.largeThreshold),
        guildId: guild.id,
      })),
    };
  }

  private interactionChannel(
    guild: GuildRecord | null,
    user: UserRecord,
    channelId?: string,
  ): { id: string; guildChannel: GuildRecord['channels'][number] | null } {
    if (!guild) return { id: channelId ?? this.store.dmChannel(user.id), guildChannel: null };
    const channel = channelId
      ? guild.channels.find((candidate) => candidate.id === channelId)
      : guild.channels.find((candidate) => candidate.type === 0);
    if (!channel) throw new SimulatorInputError(`guild ${guild.id} has no ${channelId ? `channel ${channelId}` : 'text channel'}`);
    return { id: channel.id, guildChannel: channel };
  }

  private shardCountHint(): number {
    return this.connectedShards()[0]?.[1] ?? 1;
  }

  private botUserPayload() {
    return userPayload(this.store.user(this.options.botUser.id) ?? this.store.botUser);
  }
}
