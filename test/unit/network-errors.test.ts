import { expect } from 'chai';
import {
  NETWORK_ERROR_CODES,
  NETWORK_ERRORS,
  closestNetworkErrorCode,
  describeNetworkError,
  detectNetworkError,
  isNetworkErrorCode,
  type NetworkErrorCode,
} from '../../harness/expect/network-errors.js';

// Lines as the runtimes print them (several copied from real runs, the rest from the runtimes'
// own message tables), each with the code it must map to.
const SAMPLES: Record<string, ReadonlyArray<[string, NetworkErrorCode]>> = {
  'Python 3': [
    ['ConnectionRefusedError: [Errno 111] Connection refused', 'ECONNREFUSED'],
    ["ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 5000)", 'ECONNREFUSED'],
    ['ConnectionResetError: [Errno 104] Connection reset by peer', 'ECONNRESET'],
    ['ConnectionAbortedError: [Errno 103] Software caused connection abort', 'ECONNABORTED'],
    ['OSError: [Errno 98] Address already in use', 'EADDRINUSE'],
    ['OSError: [Errno 48] Address already in use', 'EADDRINUSE'],
    ['OSError: [Errno 99] Cannot assign requested address', 'EADDRNOTAVAIL'],
    ['TimeoutError: timed out', 'ETIMEDOUT'],
    ['socket.timeout: timed out', 'ETIMEDOUT'],
    ['TimeoutError: [Errno 110] Connection timed out', 'ETIMEDOUT'],
    ["requests.exceptions.ReadTimeout: HTTPConnectionPool(host='127.0.0.1', port=5000): Read timed out. (read timeout=1)", 'ETIMEDOUT'],
    ['urllib.error.URLError: <urlopen error timed out>', 'ETIMEDOUT'],
    ['OSError: [Errno 113] No route to host', 'EHOSTUNREACH'],
    ['OSError: [Errno 101] Network is unreachable', 'ENETUNREACH'],
    ['socket.gaierror: [Errno -2] Name or service not known', 'ENOTFOUND'],
    ['socket.gaierror: [Errno -3] Temporary failure in name resolution', 'ENOTFOUND'],
    ['socket.gaierror: [Errno 8] nodename nor servname provided, or not known', 'ENOTFOUND'],
    ['BrokenPipeError: [Errno 32] Broken pipe', 'EPIPE'],
    ['PermissionError: [Errno 13] Permission denied', 'EACCES'],
    ['OSError: [Errno 90] Message too long', 'EMSGSIZE'],
    ['ConnectionRefusedError: [WinError 10061] No connection could be made because the target machine actively refused it', 'ECONNREFUSED'],
    ['ConnectionResetError: [WinError 10054] An existing connection was forcibly closed by the remote host', 'ECONNRESET'],
    ['OSError: [WinError 10048] Only one usage of each socket address (protocol/network address/port) is normally permitted', 'EADDRINUSE'],
    ['socket.gaierror: [Errno 11001] getaddrinfo failed', 'ENOTFOUND'],
  ],
  'Python 2': [
    ['socket.error: [Errno 111] Connection refused', 'ECONNREFUSED'],
    ['socket.error: [Errno 104] Connection reset by peer', 'ECONNRESET'],
    ['socket.error: [Errno 98] Address already in use', 'EADDRINUSE'],
    ['socket.timeout: timed out', 'ETIMEDOUT'],
  ],
  Node: [
    ['Error: connect ECONNREFUSED 127.0.0.1:5000', 'ECONNREFUSED'],
    ['AggregateError [ECONNREFUSED]:', 'ECONNREFUSED'],
    ['Error: read ECONNRESET', 'ECONNRESET'],
    ['Error: socket hang up', 'ECONNRESET'],
    ['Error: listen EADDRINUSE: address already in use 127.0.0.1:5000', 'EADDRINUSE'],
    ['Error: bind EADDRINUSE 127.0.0.1:5000', 'EADDRINUSE'],
    ['Error: listen EADDRNOTAVAIL: address not available 10.9.9.9:5000', 'EADDRNOTAVAIL'],
    ['Error: connect ETIMEDOUT 10.255.255.1:80', 'ETIMEDOUT'],
    ['TimeoutError: The operation was aborted due to timeout', 'ETIMEDOUT'],
    ['Error: connect EHOSTUNREACH 10.0.0.9:5000', 'EHOSTUNREACH'],
    ['Error: connect ENETUNREACH 2001:db8::1:5000', 'ENETUNREACH'],
    ['Error: getaddrinfo ENOTFOUND no-such-host.invalid', 'ENOTFOUND'],
    ['Error: getaddrinfo EAI_AGAIN example.com', 'ENOTFOUND'],
    ['Error: write EPIPE', 'EPIPE'],
    ['Error: listen EACCES: permission denied 0.0.0.0:80', 'EACCES'],
    ['Error: send EMSGSIZE', 'EMSGSIZE'],
  ],
  Java: [
    ['Exception in thread "main" java.net.ConnectException: Connection refused', 'ECONNREFUSED'],
    ['java.net.ConnectException: Connection refused: connect', 'ECONNREFUSED'],
    ['Exception in thread "main" java.net.PortUnreachableException: recv failed', 'ECONNREFUSED'],
    ['java.net.SocketException: Connection reset', 'ECONNRESET'],
    ['java.net.SocketException: Software caused connection abort: recv failed', 'ECONNABORTED'],
    ['java.net.BindException: Address already in use', 'EADDRINUSE'],
    ['java.net.BindException: Cannot assign requested address', 'EADDRNOTAVAIL'],
    ['java.net.SocketTimeoutException: Receive timed out', 'ETIMEDOUT'],
    ['java.net.SocketTimeoutException', 'ETIMEDOUT'],
    ['java.net.ConnectException: Connection timed out', 'ETIMEDOUT'],
    ['java.net.NoRouteToHostException: No route to host', 'EHOSTUNREACH'],
    ['java.net.SocketException: Network is unreachable', 'ENETUNREACH'],
    ['java.net.UnknownHostException: no-such-host.invalid', 'ENOTFOUND'],
    ['java.net.SocketException: Broken pipe (Write failed)', 'EPIPE'],
    ['java.net.BindException: Permission denied', 'EACCES'],
    ['java.io.IOException: Message too long', 'EMSGSIZE'],
  ],
  'C (perror / strerror / gai_strerror)': [
    ['connect: Connection refused', 'ECONNREFUSED'],
    ['recv: Connection reset by peer', 'ECONNRESET'],
    ['bind: Address already in use', 'EADDRINUSE'],
    ['bind failed: Cannot assign requested address', 'EADDRNOTAVAIL'],
    ['connect: Connection timed out', 'ETIMEDOUT'],
    ['connect: No route to host', 'EHOSTUNREACH'],
    ['connect: Network is unreachable', 'ENETUNREACH'],
    ['getaddrinfo: Name or service not known', 'ENOTFOUND'],
    ['gethostbyname: Unknown host', 'ENOTFOUND'],
    ['send: Broken pipe', 'EPIPE'],
    ['bind: Permission denied', 'EACCES'],
    ['sendto: Message too long', 'EMSGSIZE'],
  ],
  Go: [
    ['dial tcp 127.0.0.1:5000: connect: connection refused', 'ECONNREFUSED'],
    ['read tcp 127.0.0.1:40000->127.0.0.1:5000: read: connection reset by peer', 'ECONNRESET'],
    ['listen tcp 127.0.0.1:5000: bind: address already in use', 'EADDRINUSE'],
    ['read udp 127.0.0.1:40000->127.0.0.1:5000: i/o timeout', 'ETIMEDOUT'],
    ['dial tcp: lookup no-such-host.invalid: no such host', 'ENOTFOUND'],
    ['write tcp 127.0.0.1:40000->127.0.0.1:5000: write: broken pipe', 'EPIPE'],
    ['listen tcp :80: bind: permission denied', 'EACCES'],
  ],
  Rust: [
    ['Error: Connection refused (os error 111)', 'ECONNREFUSED'],
    ['Error: Os { code: 111, kind: ConnectionRefused, message: "Connection refused" }', 'ECONNREFUSED'],
    ['Error: Os { code: 110, kind: TimedOut, message: "Connection timed out" }', 'ETIMEDOUT'],
    ['Error: failed to lookup address information: Name or service not known', 'ENOTFOUND'],
    ['Error: Message too long (os error 90)', 'EMSGSIZE'],
  ],
  tools: [
    ['nc: connect to 127.0.0.1 port 5000 (tcp) failed: Connection refused', 'ECONNREFUSED'],
    ['curl: (6) Could not resolve host: no-such-host.invalid', 'ENOTFOUND'],
  ],
};

// What lab programs print when all is well, or lines that merely resemble an error.
const NEGATIVES = [
  'HELLO, REFUSED WORLD',
  'the server is ready to receive',
  'The server is ready to receive',
  'Request timed out',
  'Ping 7 Request timed out',
  'PING 3: REQUEST TIMED OUT.',
  'From Server: THE CONNECTION WAS RESET BY THE CLIENT? NO.',
  'Reply from 127.0.0.1: RTT = 0.000231 s',
  '250 Hello relay.example.org, pleased to meet you',
  'HTTP/1.1 404 Not Found',
  "PermissionError: [Errno 13] Permission denied: 'received.html'",
  "Error: EACCES: permission denied, open '/var/log/server.log'",
  '    except socket.timeout:',
  '    except TimeoutError:',
  'java.net.SocketException: Socket closed',
  'Traceback (most recent call last):',
  '',
];

describe('detectNetworkError', () => {
  for (const [language, samples] of Object.entries(SAMPLES)) {
    describe(language, () => {
      for (const [line, code] of samples) {
        it(`${code} ← ${line}`, () => {
          expect(detectNetworkError(line)).to.deep.equal({ code, message: line });
        });
      }
    });
  }

  describe('lines that are not network errors', () => {
    for (const line of NEGATIVES) {
      it(`null ← ${JSON.stringify(line)}`, () => {
        expect(detectNetworkError(line)).to.equal(null);
      });
    }
  });

  it('reports the trimmed line as evidence', () => {
    expect(detectNetworkError('  \tconnect: Connection refused  \r\n')).to.deep.equal({
      code: 'ECONNREFUSED',
      message: 'connect: Connection refused',
    });
  });

  it('prefers the last matching line: the final exception of a chained traceback', () => {
    const traceback = [
      'Traceback (most recent call last):',
      '  File "client.py", line 9, in <module>',
      '    reply = client_socket.recv(1024)',
      'TimeoutError: timed out',
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "client.py", line 12, in <module>',
      '    client_socket.send(b"again")',
      'BrokenPipeError: [Errno 32] Broken pipe',
      '',
    ].join('\n');
    expect(detectNetworkError(traceback)).to.deep.equal({ code: 'EPIPE', message: 'BrokenPipeError: [Errno 32] Broken pipe' });
  });

  it('finds the error in interleaved stdout and stderr', () => {
    const output = 'The server is ready to receive\nTraceback (most recent call last):\nOSError: [Errno 98] Address already in use\n';
    expect(detectNetworkError(output)?.code).to.equal('EADDRINUSE');
  });

  it('prefers the longest, most specific match within one line', () => {
    const line = 'retrying after ETIMEDOUT: ConnectionRefusedError: [Errno 111] Connection refused';
    expect(detectNetworkError(line)?.code).to.equal('ECONNREFUSED');
  });

  it("quotes Node's headline rather than the `code: '…'` property dumped after it", () => {
    const output = [
      'node:events:502',
      '      throw er; // Unhandled \'error\' event',
      '      ^',
      '',
      'Error: listen EADDRINUSE: address already in use 127.0.0.1:36465',
      '    at Server.setupListenHandle [as _listen2] (node:net:1908:16)',
      "Emitted 'error' event on Server instance at:",
      '    at process.processTicksAndRejections (node:internal/process/task_queues:82:21) {',
      "  code: 'EADDRINUSE',",
      '  errno: -98,',
      "  syscall: 'listen',",
      '}',
      '',
      'Node.js v20.20.2',
    ].join('\n');
    expect(detectNetworkError(output)).to.deep.equal({
      code: 'EADDRINUSE',
      message: 'Error: listen EADDRINUSE: address already in use 127.0.0.1:36465',
    });
  });

  it('keeps a lone Node property line as evidence when there is no headline', () => {
    expect(detectNetworkError("{\n  code: 'ECONNRESET',\n}")).to.deep.equal({ code: 'ECONNRESET', message: "code: 'ECONNRESET'," });
  });

  it('cuts very long lines to about 200 characters around the match', () => {
    const line = `${'x'.repeat(400)} connect: Connection refused ${'y'.repeat(400)}`;
    const found = detectNetworkError(line);
    expect(found?.code).to.equal('ECONNREFUSED');
    expect(found?.message).to.include('Connection refused');
    expect(found?.message.length).to.be.at.most(202);
    expect(found?.message).to.match(/^….*…$/);
  });

  it('stays linear on a huge line of near-misses (a program that prints forever)', () => {
    // A quadratic pattern takes minutes here; a linear table takes well under a second.
    const started = Date.now();
    expect(detectNetworkError('bind gethostbyname lookup '.repeat(40_000))).to.equal(null);
    expect(Date.now() - started).to.be.below(2_000);
  });

  it('returns null for empty output and for output without errors', () => {
    expect(detectNetworkError('')).to.equal(null);
    expect(detectNetworkError('Ping 1 0.000123\nPing 2 Request timed out\n')).to.equal(null);
  });
});

describe('network error codes', () => {
  it('has a rule with a meaning and patterns for every code', () => {
    for (const code of NETWORK_ERROR_CODES) {
      expect(NETWORK_ERRORS[code].meaning, code).to.match(/^[a-z].{10,}/);
      expect(Object.values(NETWORK_ERRORS[code].patterns).flat(), code).to.not.be.empty;
    }
  });

  it('keeps patterns free of the stateful g and y flags', () => {
    const patterns = NETWORK_ERROR_CODES.flatMap((code) => Object.values(NETWORK_ERRORS[code].patterns).flat());
    for (const pattern of patterns) expect(pattern.flags, String(pattern)).to.not.match(/[gy]/);
  });

  it('describes a code in plain English', () => {
    expect(describeNetworkError('ECONNREFUSED')).to.equal(
      'connection refused: nothing listening on that port (the SYN was answered by RST)',
    );
    expect(describeNetworkError('ENOTFOUND')).to.include('name resolution');
    expect(describeNetworkError('ECONNREFUSD')).to.equal('not a network error code socklab knows (did you mean ECONNREFUSED?)');
    expect(describeNetworkError('ENOENT')).to.equal('not a network error code socklab knows');
  });

  it('recognises the known codes only', () => {
    expect(isNetworkErrorCode('ETIMEDOUT')).to.equal(true);
    expect(isNetworkErrorCode('etimedout')).to.equal(false);
    expect(isNetworkErrorCode('ENOENT')).to.equal(false);
  });

  it('suggests the closest code within two edits', () => {
    expect(closestNetworkErrorCode('ECONREFUSED')).to.equal('ECONNREFUSED');
    expect(closestNetworkErrorCode('econnrefused')).to.equal('ECONNREFUSED');
    expect(closestNetworkErrorCode('EACCESS')).to.equal('EACCES');
    expect(closestNetworkErrorCode('ETIMEOUT')).to.equal('ETIMEDOUT');
    expect(closestNetworkErrorCode('EADDRINUS')).to.equal('EADDRINUSE');
    expect(closestNetworkErrorCode('refused')).to.equal(null);
    expect(closestNetworkErrorCode('')).to.equal(null);
  });
});
