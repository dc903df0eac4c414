import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { BoardCredentials } from './access';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** HTTP basic auth; compares digests in constant time so the answer's timing gives nothing away. */
export function basicAuth(credentials: BoardCredentials, realm = 'Moddy queues'): RequestHandler {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  return (request, response, next) => {
    const encoded = /^basic\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    const given = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
    if (given !== '' && timingSafeEqual(digest(given), expected)) {
      next();
      return;
    }
    response.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`).status(401).send('Authentication required');
  };
}
