import type { BodyFraming } from './body.js';
import {
  endToEndFields,
  fieldValues,
  isToken,
  listTokens,
  MalformedHeadError,
  parseHead,
  serializeHead,
  type HeaderField,
} from './http-head.js';

// A client's request to the proxy, in either form the lab meets:
//   absolute (proxy) form  GET http://www.example.com:8080/index.html HTTP/1.1   (curl -x, browsers)
//   path form              GET /www.example.com:8080/index.html HTTP/1.1        (the lab's
//                          http://localhost:8888/www.example.com/index.html typed into a browser)
// and the request the proxy sends on to the origin server.

export interface ProxyRequest {
  method: string;
  /** The request target exactly as the client wrote it. */
  target: string;
  /** "HTTP/1.0" or "HTTP/1.1". */
  version: string;
  form: 'absolute' | 'path';
  /**
   * The normalised absolute URL (lowercase scheme and host, default port dropped, dot segments
   * resolved, no credentials, no fragment): what the cache key and the log line use.
   */
  url: URL;
  fields: HeaderField[];
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

export function parseProxyRequest(head: Buffer): ProxyRequest {
  let startLine: string;
  let fields: HeaderField[];
  try {
    ({ startLine, fields } = parseHead(head, false));
  } catch (error) {
    if (error instanceof MalformedHeadError) throw new RequestRejection(400, `malformed request head: ${error.message}`);
    throw error;
  }
  const parts = startLine.split(' ');
  if (parts.length !== 3 || parts.some((part) => part === '')) {
    throw new RequestRejection(400, 'the request line must be "METHOD TARGET HTTP/1.1" with single spaces');
  }
  const [method, target, version] = parts as [string, string, string];
  const seen = isToken(method) ? { method, target } : {};
  if (!isToken(method)) throw new RequestRejection(400, `"${method}" is not a method name`);
  if (!/^HTTP\/1\.[01]$/.test(version)) {
    if (/^HTTP\/\d\.\d$/.test(version)) throw new RequestRejection(505, `${version} is not supported; send HTTP/1.1`, seen);
    throw new RequestRejection(400, `"${version}" is not an HTTP version such as HTTP/1.1`, seen);
  }
  if (method === 'CONNECT') {
    // A CONNECT tunnel carries TLS the proxy cannot read, let alone cache: out of the lab's scope.
    throw new RequestRejection(501, 'CONNECT (HTTPS tunnelling) is not supported by this proxy; request http:// URLs', seen);
  }
  const { url, form } = resolveTarget(target, seen);
  return { method, target, version, form, url, fields, body: requestBodyFraming(fields, seen) };
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
  return request.version === 'HTTP/1.1' && listTokens(request.fields, 'expect').includes('100-continue');
}

/** The request's Via entries name this proxy: it reached itself (e.g. /127.0.0.1:PROXYPORT/…). */
export function hasLooped(request: ProxyRequest, pseudonym: string): boolean {
  return listTokens(request.fields, 'via').some((entry) => entry.split(/\s+/)[1] === pseudonym.toLowerCase());
}

/**
 * The request for the origin: origin-form target, Host from the URL, the client's end-to-end
 * headers (hop-by-hop ones and Expect dropped), this proxy added to Via, and Connection: close
 * because the proxy reads one response and then closes.
 */
export function originRequestHead(request: ProxyRequest, pseudonym: string): Buffer {
  const path = `${request.url.pathname}${request.url.search}`;
  const kept = endToEndFields(request.fields, ['host', 'expect', 'via']);
  const via = [...fieldValues(request.fields, 'via'), `1.1 ${pseudonym}`].join(', ');
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
