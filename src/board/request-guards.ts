import type { RequestHandler } from 'express';
import { isLoopback } from './access';

/** The host name of a `Host` or `Origin` value, lower-cased, without port or brackets; '' when unreadable. */
export function hostNameOf(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  try {
    const url = new URL(value.includes('://') ? value : `http://${value}`);
    return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return '';
  }
}

/**
 * An open board (loopback, no credentials) answers only requests addressed to a loopback name or
 * to `boundHost`: a web page whose DNS name was rebound to 127.0.0.1 sends its own name as `Host`
 * and is refused, so it can neither read jobs nor change them.
 */
export function loopbackHostOnly(boundHost: string): RequestHandler {
  const bound = hostNameOf(boundHost);
  return (request, response, next) => {
    const host = hostNameOf(request.headers.host);
    if (host !== '' && (isLoopback(host) || host === bound)) {
      next();
      return;
    }
    response.status(421).send('This board answers only to its loopback address');
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a request that changes something (retry, clean, remove, pause) when a browser says it
 * comes from another site, so a page cannot ride on credentials the browser remembers (CSRF).
 */
export function sameOriginWrites(): RequestHandler {
  return (request, response, next) => {
    if (SAFE_METHODS.has(request.method)) {
      next();
      return;
    }
    const fetchSite = request.headers['sec-fetch-site'];
    const origin = request.headers.origin;
    const crossSite =
      (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') ||
      (origin !== undefined && hostNameOf(origin) !== hostNameOf(request.headers.host));
    if (crossSite) {
      response.status(403).send('Cross-site requests may not change jobs');
      return;
    }
    next();
  };
}
