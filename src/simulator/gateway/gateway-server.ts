import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { pushBounded } from '../bounded';
import { GatewayConnection, type ConnectionLimits } from './connection';
import type { IdentifyPacer } from './identify-pacer';
import { CloseCode, FATAL_CLOSE_CODES, Op } from './protocol';
import { intentsProblem, wantsEvent } from './intents';
import { shardForGuild } from '../snowflake';
import type { ChangeFeed } from '../wait';

/** Dispatches kept per session for RESUME; older ones are lost, like a Discord session that fell too far behind. */
const REPLAY_LIMIT = 1000;
const FRAME_LOG_LIMIT = 10_000;

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

/** One gateway session (a shard's identify), which outlives its socket so it can be resumed. */
export interface GatewaySession {
  id: string;
  shardId: number;
  shardCount: number;
  intents: number;
  sequence: number;
  history: Dispatch[];
  socket: WebSocket | null;
  identifiedAt: number;
  resumes: number;
  /** Heartbeats are received but not ACKed (a zombie connection, as the client sees it). */
  acksStopped: boolean;
  /** IDENTIFY's `large_threshold`: guilds with more members are `large` in GUILD_CREATE. */
  largeThreshold: number;
}

/** A dispatch payload built for each session (GUILD_CREATE depends on its `large_threshold`). */
export type PerSessionPayload = (session: GatewaySession) => unknown;

export interface ReadyContext {
  session: GatewaySession;
  resumeUrl: string;
}

/** READY's payload and the dispatches that follow it on the new session. */
export interface ReadyResult {
  ready: object;
  then: { t: string; d: unknown; guildId: string | null }[];
}

export interface GatewayOptions extends ConnectionLimits {
  token: string;
  heartbeatIntervalMs: number;
  applicationFlags: number;
  pacer: IdentifyPacer;
  logger: Logger;
  changes: ChangeFeed;
  /** The READY payload and the dispatches that follow it (GUILD_CREATE per guild of the shard). */
  ready: (context: ReadyContext) => ReadyResult;
}

/** A frame the gateway received, kept so tests can inspect what the client sent. */
export interface GatewayFrame {
  at: number;
  op: number;
  shard: [number, number] | null;
  d: unknown;
}

/** `[shardId, shardCount]` from IDENTIFY (absent means unsharded), or null when invalid. */
function parseShard(value: unknown): [number, number] | null {
  if (value === undefined || value === null) return [0, 1];
  if (!Array.isArray(value)) return null;
  const [id, count] = value as unknown[];
  if (typeof id !== 'number' || typeof count !== 'number' || !Number.isInteger(id) || !Number.isInteger(count)) return null;
  return count >= 1 && id >= 0 && id < count ? [id, count] : null;
}

/** Discord's `large_threshold`: 50 when absent, kept within its 50-250 range. */
function parseLargeThreshold(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 50;
  return Math.min(250, Math.max(50, value));
}

function tokenMatches(sent: unknown, expected: string): boolean {
  return typeof sent === 'string' && sent.replace(/^Bot\s+/i, '') === expected;
}

/** Discord's gateway: HELLO, IDENTIFY/RESUME, heartbeats, sequenced dispatches routed by shard and filtered by intents. */
export class GatewayServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly connections = new Map<WebSocket, GatewayConnection>();
  readonly frames: GatewayFrame[] = [];

  constructor(private readonly options: GatewayOptions) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, resumeUrl: string): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request, resumeUrl));
  }

  /** Sends a dispatch to every live session whose shard owns the guild (DMs: shard 0) and whose intents ask for it. */
  dispatchForGuild(guildId: string | null, t: string, d: object | PerSessionPayload): number {
    let delivered = 0;
    for (const session of this.latestSessions()) {
      const shard = guildId === null ? 0 : shardForGuild(guildId, session.shardCount);
      if (shard !== session.shardId) continue;
      if (this.dispatch(session, t, typeof d === 'function' ? d(session) : d, guildId)) delivered++;
    }
    return delivered;
  }

  /** Shards with an open, identified socket, as `[shardId, shardCount]`. */
  connectedShards(): [number, number][] {
    return this.latestSessions()
      .filter((session) => session.socket !== null)
      .map((session): [number, number] => [session.shardId, session.shardCount])
      .sort((a, b) => a[0] - b[0]);
  }

  sessionList(): readonly GatewaySession[] {
    return [...this.sessions.values()];
  }

  /**
   * Closes a shard's socket with `code`: the session stays resumable (the client should RESUME),
   * but after a fatal close (4004, 4010-4014) Discord ends it, as the client must not reconnect.
   */
  disconnectShard(shardId: number, code: number = CloseCode.UnknownError): boolean {
    const session = this.liveSession(shardId);
    if (session && FATAL_CLOSE_CODES.has(code)) this.sessions.delete(session.id);
    session?.socket?.close(code, 'simulator: dropped');
    return session !== undefined;
  }

  /** Sends op 1: the client must heartbeat at once. */
  requestHeartbeat(shardId: number): boolean {
    return this.sendToShard(shardId, { op: Op.Heartbeat });
  }

  /** Sends op 7 RECONNECT: the client should reconnect and resume. */
  requestReconnect(shardId: number): boolean {
    return this.sendToShard(shardId, { op: Op.Reconnect });
  }

  /** Sends op 9 INVALID_SESSION; with `resumable: false` the session is forgotten and must be re-identified. */
  invalidateSession(shardId: number, resumable: boolean): boolean {
    const session = this.liveSession(shardId);
    const socket = session?.socket;
    if (!session || !socket) return false;
    if (!resumable) this.sessions.delete(session.id);
    // The socket no longer carries the session: the client may IDENTIFY or RESUME on it, or reconnect.
    const connection = this.connections.get(socket);
    if (connection) connection.session = null;
    session.socket = null;
    this.send(socket, { op: Op.InvalidSession, d: resumable });
    this.options.changes.notify();
    return true;
  }

  /** Stops (or resumes) ACKing a shard's heartbeats, making its connection a zombie from the client's side. */
  setHeartbeatAcks(shardId: number, acked: boolean): boolean {
    const session = this.liveSession(shardId);
    if (session) session.acksStopped = !acked;
    return session !== undefined;
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private liveSession(shardId: number): GatewaySession | undefined {
    return this.latestSessions().find((candidate) => candidate.shardId === shardId && candidate.socket);
  }

  private sendToShard(shardId: number, payload: { op: number; d?: unknown }): boolean {
    const session = this.liveSession(shardId);
    if (!session?.socket) return false;
    this.send(session.socket, payload);
    return true;
  }

  /** The newest session per shard: a re-identify replaces the old session for event routing. */
  private latestSessions(): GatewaySession[] {
    const latest = new Map<string, GatewaySession>();
    for (const session of this.sessions.values()) {
      const key = `${session.shardId}/${session.shardCount}`;
      const current = latest.get(key);
      if (!current || current.identifiedAt <= session.identifiedAt) latest.set(key, session);
    }
    return [...latest.values()];
  }

  private accept(ws: WebSocket, request: IncomingMessage, resumeUrl: string): void {
    const query = new URL(request.url ?? '/', 'ws://localhost').searchParams;
    if ((query.get('v') ?? '10') !== '10') {
      ws.close(CloseCode.InvalidApiVersion, 'Invalid API version');
      return;
    }
    const connection = new GatewayConnection(ws, resumeUrl, this.options);
    this.connections.set(ws, connection);
    this.send(ws, { op: Op.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: ['moddy-simulator'] } });
    ws.on('message', (raw: RawData) => this.onMessage(connection, raw));
    ws.on('close', () => {
      this.connections.delete(ws);
      connection.dispose();
      if (connection.session && connection.session.socket === ws) connection.session.socket = null;
      this.options.changes.notify();
    });
  }

  private onMessage(connection: GatewayConnection, raw: RawData): void {
    const { ws } = connection;
    let frame: { op?: unknown; d?: unknown };
    try {
      frame = JSON.parse(raw.toString()) as typeof frame;
    } catch {
      ws.close(CloseCode.DecodeError, 'Decode error');
      return;
    }
    const op = typeof frame.op === 'number' ? frame.op : -1;
    const session = connection.session;
    pushBounded(
      this.frames,
      { at: Date.now(), op, shard: session ? [session.shardId, session.shardCount] : null, d: frame.d },
      FRAME_LOG_LIMIT,
    );
    if (connection.overSendLimit()) return;
    connection.session = this.onFrame(connection, op, frame.d);
  }

  private onFrame(connection: GatewayConnection, op: number, d: unknown): GatewaySession | null {
    const { ws, session } = connection;
    switch (op) {
      case Op.Heartbeat:
        connection.heartbeatReceived();
        if (!session?.acksStopped) this.send(ws, { op: Op.HeartbeatAck });
        return session;
      case Op.Identify:
        if (session) ws.close(CloseCode.AlreadyAuthenticated, 'Already authenticated');
        return session ?? this.identify(ws, d, connection.resumeUrl);
      case Op.Resume:
        if (session) ws.close(CloseCode.AlreadyAuthenticated, 'Already authenticated');
        return session ?? this.resume(ws, d);
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
      case Op.RequestGuildMembers:
        if (!session) ws.close(CloseCode.NotAuthenticated, 'Not authenticated');
        return session;
      default:
        ws.close(CloseCode.UnknownOpcode, 'Unknown opcode');
        return session;
    }
  }

  private identify(ws: WebSocket, d: unknown, resumeUrl: string): GatewaySession | null {
    const identify = (d ?? {}) as { token?: unknown; shard?: unknown; intents?: unknown; large_threshold?: unknown };
    if (!tokenMatches(identify.token, this.options.token)) {
      ws.close(CloseCode.AuthenticationFailed, 'Authentication failed');
      return null;
    }
    const shard = parseShard(identify.shard);
    if (!shard) {
      ws.close(CloseCode.InvalidShard, 'Invalid shard');
      return null;
    }
    const intents = intentsProblem(identify.intents, this.options.applicationFlags);
    if (intents) {
      ws.close(
        intents === 'invalid' ? CloseCode.InvalidIntents : CloseCode.DisallowedIntents,
        intents === 'invalid' ? 'Invalid intent(s)' : 'Disallowed intent(s)',
      );
      return null;
    }
    const admitted = this.options.pacer.admit(shard[0]);
    if (admitted === 'too-fast') {
      this.options.logger.warn({ shard }, 'IDENTIFY faster than max_concurrency allows: INVALID_SESSION');
      this.send(ws, { op: Op.InvalidSession, d: false });
      return null;
    }
    if (admitted === 'exhausted') {
      // Discord resets the token of a bot past its daily session starts: every session ends.
      for (const client of this.wss.clients) client.close(CloseCode.AuthenticationFailed, 'Authentication failed');
      return null;
    }
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      shardId: shard[0],
      shardCount: shard[1],
      intents: identify.intents as number,
      sequence: 0,
      history: [],
      socket: ws,
      identifiedAt: Date.now(),
      resumes: 0,
      acksStopped: false,
      largeThreshold: parseLargeThreshold(identify.large_threshold),
    };
    this.forgetReplacedSessions(session);
    this.sessions.set(session.id, session);
    const { ready, then } = this.options.ready({ session, resumeUrl });
    this.dispatch(session, 'READY', ready, null);
    for (const event of then) this.dispatch(session, event.t, event.d, event.guildId);
    this.options.logger.debug({ shard: [session.shardId, session.shardCount], session: session.id }, 'shard identified');
    this.options.changes.notify();
    return session;
  }

  private resume(ws: WebSocket, d: unknown): GatewaySession | null {
    const resume = (d ?? {}) as { token?: unknown; session_id?: unknown; seq?: unknown };
    const session = typeof resume.session_id === 'string' ? this.sessions.get(resume.session_id) : undefined;
    const seq = typeof resume.seq === 'number' ? resume.seq : 0;
    const oldest = session?.history[0]?.s ?? (session ? session.sequence + 1 : 0);
    if (session && tokenMatches(resume.token, this.options.token) && seq > session.sequence) {
      // A sequence the session never reached: Discord closes with Invalid seq.
      ws.close(CloseCode.InvalidSeq, 'Invalid seq');
      return null;
    }
    // Resumable: known session, right token, and nothing it missed has been evicted from the buffer.
    if (!session || !tokenMatches(resume.token, this.options.token) || seq + 1 < oldest) {
      this.send(ws, { op: Op.InvalidSession, d: false });
      return null;
    }
    if (session.socket && session.socket !== ws) session.socket.terminate();
    session.socket = ws;
    session.resumes++;
    session.acksStopped = false;
    for (const event of session.history) if (event.s > seq) this.send(ws, { op: Op.Dispatch, ...event });
    this.dispatch(session, 'RESUMED', {}, null);
    this.options.logger.debug({ shard: [session.shardId, session.shardCount], replayedFrom: seq }, 'shard resumed');
    this.options.changes.notify();
    return session;
  }

  /** A new IDENTIFY of a shard supersedes its disconnected sessions: they can no longer be resumed. */
  private forgetReplacedSessions(next: GatewaySession): void {
    for (const [id, session] of this.sessions) {
      if (session.shardId === next.shardId && session.shardCount === next.shardCount && session.socket === null) this.sessions.delete(id);
    }
  }

  /** Sequences and sends a dispatch if the session's intents ask for it; false when filtered out. */
  private dispatch(session: GatewaySession, t: string, d: unknown, guildId: string | null): boolean {
    if (!wantsEvent(session.intents, t, guildId)) return false;
    const event: Dispatch = { s: ++session.sequence, t, d };
    session.history.push(event);
    if (session.history.length > REPLAY_LIMIT) session.history.shift();
    // With the socket gone the event waits in the history for a RESUME.
    if (session.socket) this.send(session.socket, { op: Op.Dispatch, ...event });
    return true;
  }

  private send(ws: WebSocket, payload: { op: number; d?: unknown; s?: number; t?: string }): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(JSON.stringify({ op: payload.op, d: payload.d ?? null, s: payload.s ?? null, t: payload.t ?? null }));
  }
}
