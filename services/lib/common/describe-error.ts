// Turns socket and DNS errors into "CODE (meaning)" so every failure line names the errno code
// (what a student can search for) and says in words what it means (what they need to understand).

const MEANINGS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ECONNABORTED: 'connection aborted',
  ETIMEDOUT: 'timed out',
  EPIPE: 'broken pipe: the peer closed the connection',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'temporary failure resolving the host name',
  EAI_FAIL: 'the name server failed to resolve the host name',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EHOSTUNREACH: 'no route to host',
  EHOSTDOWN: 'host is down',
  ENETUNREACH: 'network is unreachable',
  ENETDOWN: 'network is down',
  EMSGSIZE: 'message too long for one datagram',
  EAFNOSUPPORT: 'address family not supported',
  EINVAL: 'invalid argument',
  EMFILE: 'too many open files',
  ENOBUFS: 'no buffer space available',
};

/** The errno-style code of an error, e.g. "ECONNREFUSED"; "EUNKNOWN" when there is none. */
export function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    // Connecting to a name with several addresses (e.g. localhost → ::1 and 127.0.0.1) can fail
    // with an AggregateError holding one error per address attempted.
    if (error instanceof AggregateError && error.errors.length > 0) return errorCode(error.errors[0]);
  }
  return 'EUNKNOWN';
}

export function errorMeaning(code: string, error?: unknown): string {
  const known = MEANINGS[code];
  if (known) return known;
  return error instanceof Error && error.message ? error.message : 'unexpected error';
}

/**
 * "ECONNREFUSED (connection refused)". `meaning` overrides the generic text where the program knows
 * better what happened, e.g. a UDP timeout means no datagram came back.
 */
export function describeError(error: unknown, meaning?: string): string {
  const code = errorCode(error);
  return `${code} (${meaning ?? errorMeaning(code, error)})`;
}

/** An error carrying a code, for failures the programs detect themselves (timeouts). */
export function codedError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}
