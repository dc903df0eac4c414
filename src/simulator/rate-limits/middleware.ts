import type { NextFunction, Request, Response } from 'express';
import { sendJson } from '../http-answer';
import type { RateLimitAnswer } from './answers';
import type { RateLimiter } from './rate-limiter';

/** Writes the limiter's decision: headers always, and the 429 when refused. Returns whether it answered. */
export function applyRateLimitAnswer(response: Response, answer: RateLimitAnswer): boolean {
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  const refusal = answer.refusal;
  if (!refusal) return false;
  if ('text' in refusal) response.status(refusal.status).type('text/plain').send(refusal.text);
  else sendJson(response, refusal.status, refusal.body);
  return true;
}

/** The bot token of a request (`Authorization: Bot <token>`), '' when absent. */
function botToken(request: Request): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bot ') ? header.slice(4) : '';
}

/** Express middleware for `/api/v10`: rate limit headers on every answer, 429 before routing when a limit is hit. */
export function rateLimitMiddleware(limiter: RateLimiter) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const address = request.socket.remoteAddress ?? '';
    response.on('finish', () => {
      const scope = response.getHeader('X-RateLimit-Scope');
      limiter.noteAnswer(address, response.statusCode, typeof scope === 'string' ? scope : undefined);
    });
    const answer = limiter.check({ method: request.method, path: request.path, token: botToken(request), address });
    if (!applyRateLimitAnswer(response, answer)) next();
  };
}
