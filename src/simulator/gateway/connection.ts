import type { WebSocket } from 'ws';
import type { WindowLimit } from '../rate-limits/limits';
import type { GatewaySession } from './gateway-server';
import { CloseCode } from './protocol';

export interface ConnectionLimits {
  /** A connection without a heartbeat for this long is closed (4009). */
  heartbeatTimeoutMs: number;
  /** Frames a connection may send per window before it is closed with 4008. */
  sendLimit: WindowLimit;
}

/** One gateway socket: the session it carries, and Discord's per-connection rules (heartbeat timeout, send limit). */
export class GatewayConnection {
  session: GatewaySession | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private sent = { count: 0, resetAt: 0 };

  constructor(
    readonly ws: WebSocket,
    readonly resumeUrl: string,
    private readonly limits: ConnectionLimits,
  ) {
    this.heartbeatReceived();
  }

  /** Restarts the heartbeat timeout: a client that goes silent is closed, as Discord drops silent clients. */
  heartbeatReceived(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => this.ws.close(CloseCode.SessionTimedOut, 'Session timed out'), this.limits.heartbeatTimeoutMs);
    this.heartbeatTimer.unref();
  }

  /** Counts a received frame; past the send limit the connection is closed with 4008, as Discord does. */
  overSendLimit(): boolean {
    const now = Date.now();
    if (this.sent.resetAt <= now) this.sent = { count: 0, resetAt: now + this.limits.sendLimit.windowMs };
    this.sent.count++;
    if (this.sent.count <= this.limits.sendLimit.limit) return false;
    this.ws.close(CloseCode.RateLimited, 'You are being rate limited.');
    return true;
  }

  dispose(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
  }
}
