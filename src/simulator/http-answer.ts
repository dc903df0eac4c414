import type { Request, Response } from 'express';
import { DiscordApiError } from './simulator-errors';

/** What a route handler answers: a JSON body with a status, or 204. */
export interface Answer {
  status: number;
  body?: unknown;
}

export const ok = (body: unknown): Answer => ({ status: 200, body });
export const noContent: Answer = { status: 204 };

/** JSON with Discord's exact `Content-Type: application/json` (no charset: oceanic.js and eris compare it exactly). */
export function sendJson(response: Response, status: number, body: unknown): void {
  response.status(status).setHeader('Content-Type', 'application/json');
  response.end(JSON.stringify(body));
}

export function sendError(response: Response, error: DiscordApiError): void {
  sendJson(response, error.status, error.body);
}

/** Responses to cut off: their route runs, then the connection is reset instead of answering (`FaultRule.dropResponse`). */
const droppedResponses = new WeakSet<Response>();

export function dropResponse(response: Response): void {
  droppedResponses.add(response);
}

/** Runs a handler and turns `DiscordApiError`s into Discord's `{ message, code, errors? }` answers. */
export function route(handler: (request: Request) => Answer) {
  return (request: Request, response: Response): void => {
    let answer: Answer;
    try {
      answer = handler(request);
    } catch (error) {
      if (!(error instanceof DiscordApiError)) throw error;
      answer = { status: error.status, body: error.body };
    }
    if (droppedResponses.has(response)) {
      response.socket?.destroy();
      return;
    }
    if (answer.body === undefined) response.status(answer.status).end();
    else sendJson(response, answer.status, answer.body);
  };
}

export function param(request: Request, name: string): string {
  const value = request.params[name];
  return typeof value === 'string' ? value : '';
}

export function queryFlag(request: Request, name: string): boolean {
  const value = request.query[name];
  return value === 'true' || value === '1';
}
