import type { NextFunction, Request, Response } from 'express';
import { apiErrors } from './simulator-errors';
import { sendError } from './http-answer';
import type { UploadedFile } from './payloads/message';

/** A request body as discord.js sends it: JSON, or multipart with `payload_json` and file parts. */
export interface ParsedBody {
  json: unknown;
  files: UploadedFile[];
}

const parsedBodies = new WeakMap<Request, ParsedBody>();

/** The parsed body of a request that went through `parseBody`. */
export function bodyOf(request: Request): ParsedBody {
  return parsedBodies.get(request) ?? { json: undefined, files: [] };
}

async function parse(raw: Buffer, contentType: string): Promise<ParsedBody> {
  if (raw.length === 0) return { json: undefined, files: [] };
  if (contentType.startsWith('multipart/form-data')) {
    // Node's fetch Response parses multipart bodies, so no multipart dependency is needed.
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const files: UploadedFile[] = [];
    let json: unknown;
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') json = JSON.parse(value);
      } else files.push({ field, filename: value.name, size: value.size, contentType: value.type });
    }
    return { json, files };
  }
  return { json: JSON.parse(raw.toString('utf8')), files: [] };
}

/** Middleware after `express.raw()`: parses the body for `bodyOf`, or answers 400/50109 like Discord for malformed JSON. */
export function parseBody(request: Request, response: Response, next: NextFunction): void {
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  parse(raw, request.headers['content-type'] ?? 'application/json').then(
    (parsed) => {
      parsedBodies.set(request, parsed);
      next();
    },
    () => {
      sendError(response, apiErrors.invalidJson());
    },
  );
}
