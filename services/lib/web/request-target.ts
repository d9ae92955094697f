// The request-target of an HTTP request line, turned into the path segments of a file under the
// document root, or refused.
//
// Why refuse instead of resolving "..": a segment list that can never contain "..", "/", "\" or NUL
// cannot name anything outside the root however it is joined, so the file system check that follows
// (realpath inside the root) only has symlinks left to catch. Resolving "/a/../x" the way browsers do
// would be kinder, but browsers already do it before sending; a ".." that reaches us was typed by hand
// or crafted, and "400" teaches the lab's students more than a silently rewritten path.

export type TargetErrorCode = 'bad-target' | 'bad-percent-encoding' | 'forbidden-path';

export interface TargetError {
  code: TargetErrorCode;
  message: string;
}

export interface RequestPath {
  /** Decoded segments, never "", ".", "..", nor containing "/", "\", NUL or control characters. */
  segments: string[];
  /** "/" + segments joined with "/": the decoded path, for 404 pages and logs. */
  text: string;
}

export type TargetResult = { ok: true; path: RequestPath } | { ok: false; error: TargetError };

const SCHEME_PREFIX = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function refuse(code: TargetErrorCode, message: string): TargetResult {
  return { ok: false, error: { code, message } };
}

/**
 * Accepts origin-form ("/a/b.html?q") and absolute-form with the http scheme
 * ("http://host:8080/a/b.html", whose host is ignored); drops the query string and fragment. The
 * target is one word of printable ASCII already: parseRequestHead refuses anything else.
 */
export function parseRequestTarget(target: string): TargetResult {
  if (target.includes('\\')) return refuse('forbidden-path', 'backslashes are not allowed in the path');
  const pathAndQuery = /[?#]/.exec(target);
  let rawPath = pathAndQuery ? target.slice(0, pathAndQuery.index) : target;

  const scheme = SCHEME_PREFIX.exec(rawPath);
  if (scheme) {
    if (scheme[1]!.toLowerCase() !== 'http' || !rawPath.slice(scheme[0].length).startsWith('//')) {
      return refuse('bad-target', `expected an absolute URL of the form http://host/path, got "${target}"`);
    }
    const afterSlashes = rawPath.slice(scheme[0].length + 2);
    const pathStart = afterSlashes.indexOf('/');
    const authority = pathStart === -1 ? afterSlashes : afterSlashes.slice(0, pathStart);
    if (authority === '' || authority.includes('@')) {
      return refuse('bad-target', `expected a host without user information in "${target}"`);
    }
    rawPath = pathStart === -1 ? '/' : afterSlashes.slice(pathStart);
  }
  if (!rawPath.startsWith('/')) {
    return refuse('bad-target', `expected a path starting with "/" or an http:// URL, got "${target}"`);
  }

  const segments: string[] = [];
  for (const rawSegment of rawPath.slice(1).split('/')) {
    const decoded = decodeSegment(rawSegment);
    if (typeof decoded !== 'string') return { ok: false, error: decoded };
    // "" (from "//" or a trailing "/") and "." name the same folder; dropping them is harmless.
    if (decoded === '' || decoded === '.') continue;
    segments.push(decoded);
  }
  return { ok: true, path: { segments, text: `/${segments.join('/')}` } };
}

function decodeSegment(rawSegment: string): string | TargetError {
  // Without "%" there is nothing to decode (the target is printable ASCII): most requests, and the
  // decoding is most of the cost of reading a path.
  const decoded = rawSegment.includes('%') ? percentDecode(rawSegment) : rawSegment;
  if (typeof decoded !== 'string') return decoded;
  // Checked after decoding: "%2e%2e", "%2f" and "%5c" are exactly how traversal hides from naive checks.
  if (decoded === '..') return { code: 'forbidden-path', message: '".." segments are not allowed in the path' };
  if (decoded.includes('/')) return { code: 'forbidden-path', message: `an encoded "/" inside the segment "${rawSegment}" is not allowed` };
  if (decoded.includes('\\')) return { code: 'forbidden-path', message: `an encoded "\\" inside the segment "${rawSegment}" is not allowed` };
  if (CONTROL_CHARACTER.test(decoded)) {
    return { code: 'forbidden-path', message: `NUL and control characters are not allowed in the path (segment "${rawSegment}")` };
  }
  return decoded;
}

function percentDecode(rawSegment: string): string | TargetError {
  if (BAD_PERCENT.test(rawSegment)) {
    return { code: 'bad-percent-encoding', message: `"%" must be followed by two hex digits in "${rawSegment}"` };
  }
  try {
    const bytes = Buffer.from(rawSegment.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
    return utf8.decode(bytes);
  } catch {
    return { code: 'bad-percent-encoding', message: `the percent-encoded bytes in "${rawSegment}" are not UTF-8` };
  }
}
