import { fieldValues, listTokens, type HeaderField } from '../http/header-fields.js';
import type { ProxyRequest } from './request.js';
import type { OriginResponseHead } from './response.js';

// What the proxy's cache may do with a request and its response. Deliberately simple, as the lab
// asks: only 200 responses to GET are stored, entries never expire (delete the folder to empty the
// cache), and nothing is revalidated. The rules a shared cache must still follow (RFC 9111) are kept:
// no-store and private responses are never stored, nor responses to requests carrying credentials.

/** Cache-Control directive names ("no-store", "max-age", "private"…), without their arguments. */
function cacheControlDirectives(fields: readonly HeaderField[]): Set<string> {
  return new Set(listTokens(fields, 'cache-control').map((directive) => directive.split('=')[0]!.trim()));
}

/** GET requests take part in caching unless the client says `Cache-Control: no-store`. */
export function takesPartInCaching(request: ProxyRequest): boolean {
  return request.method === 'GET' && !cacheControlDirectives(request.headers).has('no-store');
}

/**
 * Whether a stored copy may answer. A forced reload (`Cache-Control: no-cache` or `Pragma: no-cache`,
 * what Shift-Reload sends) goes to the origin; its fresh response may then replace the stored one.
 */
export function mayAnswerFromCache(request: ProxyRequest): boolean {
  return takesPartInCaching(request) && !cacheControlDirectives(request.headers).has('no-cache') && !listTokens(request.headers, 'pragma').includes('no-cache');
}

export function mayStore(request: ProxyRequest, response: OriginResponseHead): boolean {
  if (!takesPartInCaching(request) || response.status !== 200) return false;
  // A response to a request with credentials is someone's own page (RFC 9111 §3.5).
  if (fieldValues(request.headers, 'authorization').length > 0) return false;
  const directives = cacheControlDirectives(response.headers);
  return !directives.has('no-store') && !directives.has('private');
}
