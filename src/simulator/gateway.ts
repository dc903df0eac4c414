import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { pushBounded } from './bounded';
import { shardForGuild } from './snowflake';
import type { ChangeFeed } from './wait';

/** Gateway opcodes used here (Discord's `GatewayOpcodes`). */
const Op = { Dispatch: 0, Heartbeat: 1, Identify: 2, PresenceUpdate: 3, VoiceStateUpdate: 4, Resume: 6, Reconnect: 7, RequestGuildMembers: 8, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;
/** Gateway close codes (Discord's `GatewayCloseCodes`). */
export const CloseCode = { UnknownError: 4000, UnknownOpcode: 4001, DecodeError: 4002, NotAuthenticated: 4003, AuthenticationFailed: 4004, AlreadyAuthenticated: 4005, InvalidShard: 4010, InvalidApiVersion: 4012 } as const;
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
}

export interface ReadyContext {
  session: GatewaySession;
  resumeUrl: string;
}

/** READY's payload and the dispatches that follow it on the new session. */
export interface ReadyResult {
  ready: object;
  then: { t: string; d: unknown }[];
}

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  maxConcurrency: number;
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

function tokenMatches(sent: unknown, expected: string): boolean {
  return typeof sent === 'string' && sent.replace(/^Bot\s+/i, '') === expected;
}

/** Discord's gateway: HELLO, IDENTIFY/RESUME, heartbeats, sequenced dispatches routed by shard. */
export class GatewayServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly identifyTimes: number[] = [];
  readonly frames: GatewayFrame[] = [];
  /** IDENTIFYs that came faster than max_concurrency per 5 s (recorded, not delayed). */
  concurrencyWarnings = 0;
  /** Every successful IDENTIFY (session starts). */
  identifies = 0;

  constructor(private readonly options: GatewayOptions) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, resumeUrl: string): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request, resumeUrl));
  }

  /** Sends a dispatch to every live session whose shard owns the guild (DMs: shard 0). */
  dispatchForGuild(guildId: string | null, t: string, d: unknown): number {
    let delivered = 0;
    for (const session of this.latestSessions()) {
      const shard = guildId === null ? 0 : shardForGuild(guildId, session.shardCount);
      if (shard !== session.shardId) continue;
      this.dispatch(session, t, d);
      delivered++;
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

  /** Drops a shard's socket (the session stays resumable); the client should RESUME. */
  disconnectShard(shardId: number, code: number = CloseCode.UnknownError): boolean {
    const session = this.latestSessions().find((candidate) => candidate.shardId === shardId && candidate.socket);
    session?.socket?.close(code, 'simulator: dropped');
    return session !== undefined;
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
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
    let session: GatewaySession | null = null;
    this.send(ws, { op: Op.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: ['moddy-simulator'] } });
    ws.on('message', (raw: RawData) => {
      let frame: { op?: unknown; d?: unknown; s?: unknown };
      try {
        frame = JSON.parse(raw.toString()) as typeof frame;
      } catch {
        ws.close(CloseCode.DecodeError, 'Decode error');
        return;
      }
      const op = typeof frame.op === 'number' ? frame.op : -1;
      pushBounded(this.frames, { at: Date.now(), op, shard: session ? [session.shardId, session.shardCount] : null, d: frame.d }, FRAME_LOG_LIMIT);
      session = this.onFrame(ws, session, op, frame.d, resumeUrl);
    });
    ws.on('close', () => {
      if (session && session.socket === ws) session.socket = null;
      this.options.changes.notify();
    });
  }

  private onFrame(ws: WebSocket, session: GatewaySession | null, op: number, d: unknown, resumeUrl: string): GatewaySession | null {
    switch (op) {
      case Op.Heartbeat:
        this.send(ws, { op: Op.HeartbeatAck });
        return session;
      case Op.Identify:
        if (session) ws.close(CloseCode.AlreadyAuthenticated, 'Already authenticated');
        return session ?? this.identify(ws, d, resumeUrl);
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
    const identify = (d ?? {}) as { token?: unknown; shard?: unknown; intents?: unknown };
    if (!tokenMatches(identify.token, this.options.token)) {
      ws.close(CloseCode.AuthenticationFailed, 'Authentication failed');
      return null;
    }
    const shard = parseShard(identify.shard);
    if (!shard) {
      ws.close(CloseCode.InvalidShard, 'Invalid shard');
      return null;
    }
    this.noteIdentify();
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      shardId: shard[0],
      shardCount: shard[1],
      intents: typeof identify.intents === 'number' ? identify.intents : 0,
      sequence: 0,
      history: [],
      socket: ws,
      identifiedAt: Date.now(),
      resumes: 0,
    };
    this.forgetReplacedSessions(session);
    this.sessions.set(session.id, session);
    this.identifies++;
    const { ready, then } = this.options.ready({ session, resumeUrl });
    this.dispatch(session, 'READY', ready);
    for (const event of then) this.dispatch(session, event.t, event.d);
    this.options.logger.debug({ shard: [session.shardId, session.shardCount], session: session.id }, 'shard identified');
    this.options.changes.notify();
    return session;
  }

  private resume(ws: WebSocket, d: unknown): GatewaySession | null {
    const resume = (d ?? {}) as { token?: unknown; session_id?: unknown; seq?: unknown };
    const session = typeof resume.session_id === 'string' ? this.sessions.get(resume.session_id) : undefined;
    const seq = typeof resume.seq === 'number' ? resume.seq : 0;
    const oldest = session?.history[0]?.s ?? (session ? session.sequence + 1 : 0);
    // Resumable: known session, right token, and nothing it missed has been evicted from the buffer.
    if (!session || !tokenMatches(resume.token, this.options.token) || seq + 1 < oldest) {
      this.send(ws, { op: Op.InvalidSession, d: false });
      return null;
    }
    if (session.socket && session.socket !== ws) session.socket.terminate();
    session.socket = ws;
    session.resumes++;
    for (const event of session.history) if (event.s > seq) this.send(ws, { op: Op.Dispatch, ...event });
    this.dispatch(session, 'RESUMED', {});
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

  private dispatch(session: GatewaySession, t: string, d: unknown): void {
    const event: Dispatch = { s: ++session.sequence, t, d };
    session.history.push(event);
    if (session.history.length > REPLAY_LIMIT) session.history.shift();
    // With the socket gone the event waits in the history for a RESUME.
    if (session.socket) this.send(session.socket, { op: Op.Dispatch, ...event });
  }

  private noteIdentify(): void {
    const now = Date.now();
    this.identifyTimes.push(now);
    while (this.identifyTimes.length > 0 && now - this.identifyTimes[0]! > 5000) this.identifyTimes.shift();
    if (this.identifyTimes.length > this.options.maxConcurrency) {
      this.concurrencyWarnings++;
      this.options.logger.warn({ maxConcurrency: this.options.maxConcurrency }, 'identify faster than max_concurrency allows');
    }
  }

  private send(ws: WebSocket, payload: { op: number; d?: unknown; s?: number; t?: string }): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(JSON.stringify({ op: payload.op, d: payload.d ?? null, s: payload.s ?? null, t: payload.t ?? null }));
  }
}
