import { fieldValues, listTokens, serializeHead, type HeaderField } from '../http/header-fields.js';
import { parseRequestHead, unfinishedHeadError, type RequestHead } from '../http/request-head.js';
import type { BodyFraming } from './body.js';
import { endToEndFields } from './hop-by-hop.js';

// A client's request to the proxy, in either form the lab meets:
//   absolute (proxy) form  GET http://www.example.com:8080/index.html HTTP/1.1   (curl -x, browsers)
//   path form              GET /www.example.com:8080/index.html HTTP/1.1        (the lab's
//                          http://localhost:8888/www.example.com/index.html typed into a browser)
// and the request the proxy sends on to the origin server.

/** The head as http/request-head parses it for every program, and what the proxy makes of it. */
export interface ProxyRequest extends RequestHead {
  form: 'absolute' | 'path';
  /**
   * The normalised absolute URL (lowercase scheme and host, default port dropped, dot segments
   * resolved, no credentials, no fragment): what the cache key and the log line use.
   */
  url: URL;
  body: BodyFraming;
}

/** The proxy answers the request itself with `status` instead of forwarding it. */
export class RequestRejection extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** As much of the request line as could be read, for the log line. */
    readonly seen: { method?: string; target?: string } = {},
  ) {
    super(message);
  }
}

const SCHEME_PREFIX = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** `head` is a whole head as readHead returns it, its size already checked against the limit. */
export function parseProxyRequest(head: Buffer): ProxyRequest {
  const parsed = parseRequestHead(head, { maxHeadBytes: Infinity });
  if (parsed.outcome === 'incomplete') throw new RequestRejection(400, unfinishedHeadError(head, 'closed').message);
  if (parsed.outcome === 'error') throw new RequestRejection(parsed.error.status, parsed.error.message, parsed.error.seen);
  const request = parsed.request;
  const seen = { method: request.method, target: request.target };
  if (request.method === 'CONNECT') {
    // A CONNECT tunnel carries TLS the proxy cannot read, let alone cache: out of the lab's scope.
    throw new RequestRejection(501, 'CONNECT (HTTPS tunnelling) is not supported by this proxy; request http:// URLs', seen);
  }
  const { url, form } = resolveTarget(request.target, seen);
  return { ...request, form, url, body: requestBodyFraming(request.headers, seen) };
}

/** The absolute URL a request target names, in either of the two forms. */
export function resolveTarget(target: string, seen: { method?: string; target?: string } = {}): { url: URL; form: 'absolute' | 'path' } {
  const scheme = SCHEME_PREFIX.exec(target)?.[1]?.toLowerCase();
  let form: 'absolute' | 'path';
  let text: string;
  if (scheme !== undefined) {
    if (scheme !== 'http') throw new RequestRejection(501, `only http:// URLs are supported, got ${scheme}://`, seen);
    form = 'absolute';
    text = target;
  } else if (target.startsWith('/')) {
    const rest = target.slice(1);
    if (rest === '' || rest.startsWith('/') || rest.startsWith('?')) {
      throw new RequestRejection(400, `no host in "${target}": use /HOST[:PORT]/PATH, e.g. /www.example.com/index.html`, seen);
    }
    form = 'path';
    text = `http://${rest}`;
  } else {
    throw new RequestRejection(400, `"${target}" is neither an http:// URL nor /HOST/PATH`, seen);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RequestRejection(400, `"${target}" is not a valid URL`, seen);
  }
  if (url.hostname === '') throw new RequestRejection(400, `no host in "${target}"`, seen);
  url.username = '';
  url.password = '';
  url.hash = '';
  return { url, form };
}

function requestBodyFraming(fields: HeaderField[], seen: { method?: string; target?: string }): BodyFraming {
  const codings = listTokens(fields, 'transfer-encoding');
  const lengths = fieldValues(fields, 'content-length').flatMap((value) => value.split(',').map((item) => item.trim()));
  if (codings.length > 0) {
    // Both framings at once is the classic request-smuggling vector (RFC 9112 §6.1): refuse it.
    if (lengths.length > 0) throw new RequestRejection(400, 'both Transfer-Encoding and Content-Length given', seen);
    if (codings.length !== 1 || codings[0] !== 'chunked') {
      throw new RequestRejection(501, `request transfer coding "${codings.join(', ')}" is not supported; use chunked or Content-Length`, seen);
    }
    return { kind: 'chunked' };
  }
  if (lengths.length === 0) return { kind: 'none' };
  const first = lengths[0]!;
  if (!/^\d{1,15}$/.test(first) || lengths.some((length) => length !== first)) {
    throw new RequestRejection(400, `bad Content-Length "${fieldValues(fields, 'content-length').join(', ')}"`, seen);
  }
  return { kind: 'length', length: Number(first) };
}

/** Whether the client asked for "100 Continue" before sending its body; the proxy answers that itself. */
export function expectsContinue(request: ProxyRequest): boolean {
  return request.version === '1.1' && listTokens(request.headers, 'expect').includes('100-continue');
}

/** The request's Via entries name this proxy: it reached itself (e.g. /127.0.0.1:PROXYPORT/…). */
export function hasLooped(request: ProxyRequest, pseudonym: string): boolean {
  return listTokens(request.headers, 'via').some((entry) => entry.split(/\s+/)[1] === pseudonym.toLowerCase());
}

/**
 * The request for the origin: origin-form target, Host from the URL, the client's end-to-end
 * headers (hop-by-hop ones and Expect dropped), this proxy added to Via, and Connection: close
 * because the proxy reads one response and then closes.
 */
export function originRequestHead(request: ProxyRequest, pseudonym: string): Buffer {
  const path = `${request.url.pathname}${request.url.search}`;
  const kept = endToEndFields(request.headers, ['host', 'expect', 'via']);
  const via = [...fieldValues(request.headers, 'via'), `1.1 ${pseudonym}`].join(', ');
  const fields: HeaderField[] = [{ name: 'Host', value: request.url.host }, ...kept, { name: 'Via', value: via }];
  // Transfer-Encoding is hop-by-hop, but a chunked body is forwarded as it came, chunks and all.
  if (request.body.kind === 'chunked') fields.push({ name: 'Transfer-Encoding', value: 'chunked' });
  fields.push({ name: 'Connection', value: 'close' });
  return serializeHead(`${request.method} ${path} HTTP/1.1`, fields);
}

/** Host and port to connect to (brackets of an IPv6 literal removed; port 80 by default). */
export function originAddress(url: URL): { host: string; port: number } {
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 80 : Number(url.port) };
}
