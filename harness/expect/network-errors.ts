// Recognises network errors in a program's output, whatever language it was written in, and maps
// them to one stable code, so a spec can say `error: ECONNREFUSED` and a student's Python traceback,
// Java stack trace, C perror line or Node error dump all satisfy it.
//
// The knowledge lives in one table (NETWORK_ERRORS) of patterns per code and per kind of output;
// the functions below only walk it. Patterns are deliberately narrow: a lab program legitimately
// prints words such as "refused" or "Request timed out" (the UDP pinger), so a phrase counts only
// in the shape a runtime prints it (an exception class, an errno, a strerror text, a Node code).
import type { DetectedError } from '../model/result.js';

export const NETWORK_ERROR_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EADDRINUSE',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EACCES',
  'EMSGSIZE',
] as const;

export type NetworkErrorCode = (typeof NETWORK_ERROR_CODES)[number];

/**
 * Where a pattern's text comes from. `strerror` is the C library's message text, which C (perror,
 * strerror), Python, Java, Rust and Go (in lower case) all print, so those patterns ignore case.
 * `windows` is Winsock's wording, printed by Python (`[WinError 10061]`) and Java on Windows.
 * `exception` is any language's `Class: message` exception line; `tools` is curl and the like.
 */
export type OutputSource = 'strerror' | 'node' | 'python' | 'java' | 'go' | 'rust' | 'windows' | 'exception' | 'tools';

export interface NetworkErrorRule {
  /** Plain-English meaning, for reports and `socklab explain`. */
  meaning: string;
  /**
   * Tested line by line against trimmed output lines. Never use the `g` flag (it keeps state), and
   * bound any unanchored gap (`.{0,80}`, not `.*`): a program may print megabytes on one line.
   */
  patterns: Partial<Record<OutputSource, readonly RegExp[]>>;
}

export const NETWORK_ERRORS: Readonly<Record<NetworkErrorCode, NetworkErrorRule>> = {
  ECONNREFUSED: {
    meaning: 'connection refused: nothing listening on that port (the SYN was answered by RST)',
    patterns: {
      strerror: [/\bConnection refused\b/i],
      node: [/\bECONNREFUSED\b/],
      // asyncio words it "Connect call failed", so the class name and errno are needed too.
      python: [/\bConnectionRefusedError: \S/, /\[Errno 111\]/],
      // A connected UDP socket learns of the ICMP port-unreachable this way.
      java: [/\bPortUnreachableException\b/],
      windows: [/\[WinError 10061\]/, /target machine actively refused it/i],
    },
  },
  ECONNRESET: {
    meaning: 'connection reset: the peer aborted the connection (an RST arrived), e.g. it crashed or closed with data unread',
    patterns: {
      // Java says just "Connection reset"; C, Python, Go and Rust add "by peer".
      strerror: [/\bConnection reset\b/i],
      node: [/\bECONNRESET\b/, /^Error: socket hang up$/],
      python: [/\bConnectionResetError: \S/, /\[Errno 104\]/],
      windows: [/\[WinError 10054\]/, /existing connection was forcibly closed by the remote host/i],
    },
  },
  ECONNABORTED: {
    meaning: 'connection aborted by the local system, e.g. after a timeout or protocol error',
    patterns: {
      strerror: [/\bSoftware caused connection abort\b/i],
      node: [/\bECONNABORTED\b/],
      python: [/\bConnectionAbortedError: \S/, /\[Errno 103\]/],
      windows: [/\[WinError 10053\]/, /established connection was aborted by the software in your host machine/i],
    },
  },
  EADDRINUSE: {
    meaning: 'address already in use: another socket is bound to that port (or an old one lingers in TIME_WAIT without SO_REUSEADDR)',
    patterns: {
      strerror: [/\bAddress already in use\b/i],
      node: [/\bEADDRINUSE\b/],
      python: [/\[Errno 98\]/],
      windows: [/\[WinError 10048\]/, /Only one usage of each socket address/i],
    },
  },
  EADDRNOTAVAIL: {
    meaning: 'address not available: the address to bind or connect from does not belong to this machine',
    patterns: {
      // macOS spells it "Can't assign requested address".
      strerror: [/\bCan(?:not|'t) assign requested address\b/i],
      node: [/\bEADDRNOTAVAIL\b/],
      python: [/\[Errno 99\]/],
      windows: [/\[WinError 10049\]/, /requested address is not valid in its context/i],
    },
  },
  ETIMEDOUT: {
    meaning: 'timed out: no answer arrived in time (a socket timeout expired, or the peer never answered the SYN)',
    patterns: {
      // macOS's strerror for ETIMEDOUT is "Operation timed out".
      strerror: [/\bConnection timed out\b/i, /\bOperation timed out\b/i],
      node: [/\bE(?:SOCKET)?TIMEDOUT\b/],
      python: [
        /^(?:[\w.]+\.)?TimeoutError(?::|$)/,
        /\bsocket\.timeout: timed out\b/,
        /\[Errno 110\]/,
        // requests/urllib3 wording
        /\b(?:Read|Connect) timed out\b/,
      ],
      java: [/\bSocketTimeoutException\b/, /\bHttp(?:Connect)?TimeoutException\b/, /\b(?:Receive|Accept|connect) timed out\b/],
      go: [/\bi\/o timeout\b/],
      rust: [/\bkind: TimedOut\b/],
      windows: [/\[WinError 10060\]/, /did not properly respond after a period of time/i],
      // Any exception line ending in "timed out" (not a bare "Request timed out" from a pinger).
      exception: [/^[\w.$]+(?:Error|Exception|timeout): .*\btimed out[.>)]*$/],
    },
  },
  EHOSTUNREACH: {
    meaning: 'host unreachable: no route to that host (it is down, or a firewall answered with ICMP host-unreachable)',
    patterns: {
      strerror: [/\bNo route to host\b/i, /\bHost is unreachable\b/i],
      node: [/\bEHOSTUNREACH\b/],
      python: [/\[Errno 113\]/],
      java: [/\bNoRouteToHostException\b/],
      windows: [/\[WinError 10065\]/, /attempted to an unreachable host/i],
    },
  },
  ENETUNREACH: {
    meaning: 'network unreachable: this machine has no route to that network (e.g. no IPv6 connectivity)',
    patterns: {
      strerror: [/\bNetwork is unreachable\b/i],
      node: [/\bENETUNREACH\b/],
      python: [/\[Errno 101\]/],
      windows: [/\[WinError 10051\]/, /attempted to an unreachable network/i],
    },
  },
  ENOTFOUND: {
    meaning: 'host name not found: name resolution (DNS or /etc/hosts) failed for that host',
    patterns: {
      // getaddrinfo's gai_strerror texts (glibc, then macOS), also printed by Python and Rust.
      strerror: [
        /\bName or service not known\b/i,
        /\bTemporary failure in name resolution\b/i,
        /\bNo address associated with hostname\b/i,
        /\bnodename nor servname provided\b/i,
        /\bgethostbyname\b.{0,80}\bUnknown (?:host|server error)\b/i,
      ],
      node: [/\bENOTFOUND\b/, /\bEAI_(?:AGAIN|NONAME|NODATA)\b/],
      python: [/\bsocket\.gaierror: \S/, /\[Errno -[235]\]/],
      java: [/\bUnknownHostException\b/],
      go: [/\blookup \S+(?: on \S+)?: no such host\b/],
      rust: [/\bfailed to lookup address information\b/],
      windows: [/\[Errno 11001\] getaddrinfo failed/, /\[WinError 11001\]/],
      tools: [/\bCould not resolve host\b/],
    },
  },
  EPIPE: {
    meaning: 'broken pipe: wrote to a connection the peer has already closed',
    patterns: {
      strerror: [/\bBroken pipe\b/i],
      node: [/\bEPIPE\b/],
      python: [/\bBrokenPipeError: \S/, /\[Errno 32\]/],
    },
  },
  EACCES: {
    // Only in a bind or listen context: the same words from opening a file are no network error.
    meaning: 'permission denied: binding a port below 1024 needs root (or CAP_NET_BIND_SERVICE); use a higher port',
    patterns: {
      strerror: [/\bbind\b.{0,80}: Permission denied\b/i],
      node: [/\b(?:listen|bind) EACCES\b/],
      // A file's PermissionError names the file after the message; a socket's names nothing.
      python: [/\bPermissionError: \[Errno 13\] Permission denied$/],
      java: [/\b(?:Bind|Socket)Exception: Permission denied\b/],
      windows: [/\[WinError 10013\]/, /forbidden by its access permissions/i],
    },
  },
  EMSGSIZE: {
    meaning: 'message too long: the datagram exceeds the maximum UDP payload (65507 bytes over IPv4)',
    patterns: {
      strerror: [/\b(?:send|sendto|sendmsg|write)(?:\(\))?(?: failed)?: Message too long\b/i],
      node: [/\bEMSGSIZE\b/],
      python: [/\[Errno 90\] Message too long\b/],
      java: [/\b(?:Socket|IO)Exception: Message too long\b/],
      rust: [/\bMessage too long \(os error 90\)/],
      windows: [/\[WinError 10040\]/],
    },
  },
};

interface CompiledPattern {
  code: NetworkErrorCode;
  pattern: RegExp;
}

const COMPILED: readonly CompiledPattern[] = NETWORK_ERROR_CODES.flatMap((code) =>
  Object.values(NETWORK_ERRORS[code].patterns).flatMap((patterns) => patterns.map((pattern) => ({ code, pattern }))),
);

// All patterns in one regex: a long output (a flood, a long traceback), where most lines hold no
// network error at all, costs one regex run per line instead of one per pattern. V8 compiles that
// regex on its first run (5–12 ms), more than a short output's lines cost pattern by pattern, so it
// is made only for outputs longer than PREFILTER_LINES.
const PREFILTER_LINES = 64;
let anyPattern: RegExp | undefined;
const anyPatternOnce = () => (anyPattern ??= new RegExp(COMPILED.map(({ pattern }) => `(?:${pattern.source})`).join('|'), 'i'));

// Node prints an error's properties after its stack (`  code: 'ECONNREFUSED',`). That line is
// usually the last match but the poorer evidence: the headline (`Error: connect ECONNREFUSED
// 127.0.0.1:5000`) above it says what was attempted, so it is reported instead.
const NODE_ERROR_PROPERTY = /^code: '[A-Z_]+',?$/;

const EVIDENCE_MAX_CHARS = 200;

interface LineMatch {
  code: NetworkErrorCode;
  index: number;
  length: number;
}

/** The most specific match on one line: the longest matched text, then table order. `prefilter`: try all patterns at once first. */
function matchLine(line: string, prefilter: boolean): LineMatch | null {
  if (prefilter && !anyPatternOnce().test(line)) return null;
  let best: LineMatch | null = null;
  for (const { code, pattern } of COMPILED) {
    const found = pattern.exec(line);
    if (found && (best === null || found[0].length > best.length)) {
      best = { code, index: found.index, length: found[0].length };
    }
  }
  return best;
}

function excerpt(line: string, match: LineMatch): string {
  if (line.length <= EVIDENCE_MAX_CHARS) return line;
  const before = Math.floor((EVIDENCE_MAX_CHARS - match.length) / 2);
  const start = Math.max(0, Math.min(match.index - Math.max(before, 0), line.length - EVIDENCE_MAX_CHARS));
  const end = start + EVIDENCE_MAX_CHARS;
  return `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
}

/**
 * Finds the network error a program reported in its output (stdout and stderr together). The last
 * matching line wins, because a traceback's final exception is the one that ended the program.
 */
export function detectNetworkError(text: string): DetectedError | null {
  const lines = text.split(/\r\n|\r|\n/).map((line) => line.trim());
  const prefilter = lines.length > PREFILTER_LINES;
  for (let last = lines.length - 1; last >= 0; last -= 1) {
    const match = matchLine(lines[last], prefilter);
    if (match === null) continue;
    if (NODE_ERROR_PROPERTY.test(lines[last])) {
      for (let earlier = last - 1; earlier >= 0; earlier -= 1) {
        const headline = matchLine(lines[earlier], prefilter);
        if (headline?.code === match.code && !NODE_ERROR_PROPERTY.test(lines[earlier])) {
          return { code: match.code, message: excerpt(lines[earlier], headline) };
        }
      }
    }
    return { code: match.code, message: excerpt(lines[last], match) };
  }
  return null;
}

/** Plain-English meaning of a code. Takes any string, as specs do, so it never throws on a typo. */
export function describeNetworkError(code: string): string {
  if (isNetworkErrorCode(code)) return NETWORK_ERRORS[code].meaning;
  const suggestion = closestNetworkErrorCode(code);
  return `not a network error code socklab knows${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
}

export function isNetworkErrorCode(value: string): value is NetworkErrorCode {
  return (NETWORK_ERROR_CODES as readonly string[]).includes(value);
}

/** The known code closest to `value` (ignoring case) within two edits, for "did you mean" hints. */
export function closestNetworkErrorCode(value: string): NetworkErrorCode | null {
  const wanted = value.trim().toUpperCase();
  let best: { code: NetworkErrorCode; distance: number } | null = null;
  for (const code of NETWORK_ERROR_CODES) {
    const distance = editDistance(wanted, code);
    if (distance <= 2 && (best === null || distance < best.distance)) best = { code, distance };
  }
  return best?.code ?? null;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
