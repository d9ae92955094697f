// diagnose() on hand-built results: each rule fires on its evidence, and stays quiet on look-alikes.
// (test/e2e/diagnose-students.test.ts runs the same rules on real results of the sample submissions.)
import { expect } from 'chai';
import { diagnose, type RoleContext } from '../../harness/grade/diagnose.js';
import type { HttpDetails, HttpExchangeRecord } from '../../harness/model/result.js';
import { experiment, failed, processResult, runningUntilStopped, step } from '../support/result-builder.js';

const P = 40001;
const context: RoleContext[] = [
  { role: 'tcp-server', programFile: 'submission/TCPServer.py' },
  { role: 'tcp-client', programFile: 'submission/TCPClient.py' },
  { role: 'udp-server', programFile: 'submission/UDPServer.py' },
  { role: 'udp-client', programFile: 'submission/UDPClient.py' },
  { role: 'web-server', programFile: 'submission/WebServer.py' },
  { role: 'proxy', programFile: 'submission/ProxyServer.py' },
  { role: 'mail-client', programFile: 'submission/MailClient.py' },
];
const codes = (diagnoses: Array<{ code: string }>) => diagnoses.map((diagnosis) => diagnosis.code);
const refused = { code: 'ECONNREFUSED', message: 'ConnectionRefusedError: [Errno 111] Connection refused' };
/** What the planner records for `args: ["{{ports.server}}"]` and `args: ["{{server.host}}", "{{ports.server}}"]`. */
const toldServer = (port = P) => ({ told: { ports: [port], hosts: [] } });
const toldClient = (port = P) => ({ told: { ports: [port], hosts: ['127.0.0.1'] } });
const httpDetails = (path: string, port: number, exchange: HttpExchangeRecord): HttpDetails => ({
  kind: 'http',
  request: { method: 'GET', url: `http://127.0.0.1:${port}${path}`, path, headers: {}, bodyBytes: 0 },
  connectedTo: { host: '127.0.0.1', port },
  exchanges: [exchange],
  wallMs: exchange.durationMs,
});

const tcpServerStarted = (overrides = {}) =>
  step(0, { kind: 'start', role: 'tcp-server', name: 'tcp-server', label: `start tcp-server ${P}`, process: runningUntilStopped(['python3', 'TCPServer.py', String(P)]), ...toldServer(), ...overrides });
const tcpClient = (index: number, process: Parameters<typeof processResult>[0], overrides = {}) =>
  step(index, { role: 'tcp-client', label: `run tcp-client 127.0.0.1 ${P}`, stdin: 'hello\n', process: processResult({ command: ['python3', 'TCPClient.py', '127.0.0.1', String(P)], ...process }), ...toldClient(), ...overrides });

describe('diagnose', () => {
  it('says nothing about a passed experiment', () => {
    const passed = experiment('tcp-lowercase', [tcpServerStarted(), tcpClient(1, { stdout: 'From Server: HELLO\n' })]);
    expect(passed.status).to.equal('passed');
    expect(diagnose(passed, context)).to.deep.equal([]);
  });

  describe('python2', () => {
    it('recognises the print statement in a SyntaxError, and names the program and the habit', () => {
      const stderr = `  File "/work/s/TCPServer.py", line 9\n    print 'The server is ready to receive'\n    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\nSyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?\n`;
      const result = experiment('tcp-lowercase', [
        tcpServerStarted({ status: 'failed', expectations: [failed('ready')], process: processResult({ command: ['python3', 'TCPServer.py', String(P)], exitCode: 1, stderr }) }),
        step(1, { status: 'skipped', label: 'run tcp-client {{server.host}} {{ports.server}}' }),
      ]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['python2']);
      expect(diagnoses[0].experimentId).to.equal('tcp-lowercase');
      expect(diagnoses[0].message).to.match(/^TCPServer\.py looks like Python 2 \(print statement\)/).and.include('print(...), input()');
    });

    it('recognises raw_input, and says nothing else about a program that never ran', () => {
      const stderr = `Traceback (most recent call last):\n  File "/w/UDPClient.py", line 8, in <module>\n    message = raw_input('Input lowercase sentence:')\n              ^^^^^^^^^\nNameError: name 'raw_input' is not defined\n`;
      const result = experiment('udp-lowercase', [
        step(0, { kind: 'start', role: 'udp-server', name: 'udp-server', process: runningUntilStopped(['python3', 'UDPServer.py', String(P)]), ...toldServer() }),
        step(1, { role: 'udp-client', status: 'failed', stdin: 'hi\n', expectations: [failed('exit'), failed('stdout.contains')], process: processResult({ command: ['python3', 'UDPClient.py', '127.0.0.1', String(P)], exitCode: 1, stderr }), ...toldClient() }),
      ]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['python2']);
      expect(diagnoses[0].message).to.include('UDPClient.py looks like Python 2 (raw_input)');
    });

    it('is not fooled by a Python 3 SyntaxError', () => {
      const stderr = `  File "/w/TCPClient.py", line 3\n    if x = 1:\n         ^\nSyntaxError: invalid syntax\n`;
      const result = experiment('tcp-lowercase', [tcpServerStarted(), tcpClient(1, { exitCode: 1, stderr }, { status: 'failed', expectations: [failed('exit')] })]);
      expect(codes(diagnose(result, context))).to.not.include('python2');
    });
  });

  describe('ignores-cli-port', () => {
    it('a client refused on the port where its server listens, naming the literal 12000 from the traceback', () => {
      const stderr = `Traceback (most recent call last):\n  File "/w/TCPClient.py", line 7, in <module>\n    clientSocket.connect(('localhost', 12000))\nConnectionRefusedError: [Errno 111] Connection refused\n`;
      const result = experiment('tcp-lowercase', [tcpServerStarted(), tcpClient(1, { exitCode: 1, stderr, error: refused }, { status: 'failed', expectations: [failed('exit')] })]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['ignores-cli-port']);
      expect(diagnoses[0].message)
        .to.include(`TCPClient.py did not reach the server on the port it was told (${P})`)
        .and.include("line 7: clientSocket.connect(('localhost', 12000))");
    });

    it('a UDP client silent while its server was bound there', () => {
      const result = experiment('udp-lowercase', [
        step(0, { kind: 'start', role: 'udp-server', name: 'udp-server', process: runningUntilStopped(['python3', 'UDPServer.py', String(P)]), ...toldServer() }),
        step(1, {
          role: 'udp-client',
          status: 'failed',
          ...toldClient(),
          expectations: [failed('timedOut'), failed('stdout.contains')],
          process: processResult({ command: ['python3', 'UDPClient.py', '127.0.0.1', String(P)], exitCode: null, signal: 'SIGTERM', timedOut: true, killed: true, stillRunning: true, stdout: 'Input lowercase sentence: ', durationMs: 5000 }),
        }),
      ]);
      expect(codes(diagnose(result, context))).to.deep.equal(['ignores-cli-port']);
    });

    it('is not blamed when nothing listened on that port yet (client started before its server)', () => {
      const result = experiment('p1', [
        tcpClient(0, { exitCode: 1, error: refused, timedOut: true }, { status: 'failed', expectations: [failed('within')] }),
        tcpServerStarted({ index: 1 }),
      ]);
      expect(diagnose(result, context)).to.deep.equal([]);
    });

    it('a server still running that never listened on its port', () => {
      const result = experiment('tcp-lowercase', [
        tcpServerStarted({ status: 'failed', expectations: [failed('ready', 'tcp-server ready within 5s', `no TCP listener on port ${P} after 5000ms`)], process: runningUntilStopped(['python3', 'TCPServer.py', String(P)], 'listening on port 12000\n') }),
      ]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['ignores-cli-port']);
      expect(diagnoses[0].message).to.include('TCPServer.py kept running but never listened').and.include('It printed the port 12000');
    });
  });

  it('ignores-cli-host: told an IP address, failed looking up a name', () => {
    const stderr = `Traceback (most recent call last):\n  File "/w/TCPClient.py", line 6, in <module>\n    clientSocket.connect(('servername', serverPort))\nsocket.gaierror: [Errno -2] Name or service not known\n`;
    const result = experiment('tcp-lowercase', [tcpServerStarted(), tcpClient(1, { exitCode: 1, stderr, error: { code: 'ENOTFOUND', message: 'socket.gaierror: [Errno -2] Name or service not known' } }, { status: 'failed', expectations: [failed('exit')] })]);
    const diagnoses = diagnose(result, context);
    expect(codes(diagnoses)).to.deep.equal(['ignores-cli-host']);
    expect(diagnoses[0].message).to.include("connect(('servername', serverPort))");
  });

  describe('servers that end', () => {
    const endedServer = (exitCode: number, stderr = '') =>
      processResult({ command: ['python3', 'TCPServer.py', String(P)], exitCode, stdout: 'The server is ready to receive\n', stderr });

    it('server-exits-after-one-request: exit 0, then the next client is refused (not a hard-coded port)', () => {
      const result = experiment('tcp-several-clients', [
        tcpServerStarted({ process: undefined }),
        tcpClient(1, { stdout: 'From Server: FIRST\n' }),
        tcpClient(2, { exitCode: 1, error: refused }, { status: 'failed', expectations: [failed('exit (implicit)')] }),
        step(3, { kind: 'stop', name: 'tcp-server', status: 'failed', expectations: [failed('running', 'still running', 'had exited on its own (exit code 0)')], process: endedServer(0) }),
      ]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['server-exits-after-one-request']);
      expect(diagnoses[0].message).to.include('TCPServer.py ended by itself (exit code 0) after its first client').and.include('while True:');
    });

    it('server-crashed: a traceback and a non-zero exit, with the exception named', () => {
      const stderr = `Traceback (most recent call last):\n  File "/w/TCPServer.py", line 14, in <module>\n    capitalizedSentence = sentence.decode('ascii').upper()\nUnicodeDecodeError: 'ascii' codec can't decode byte 0xc3 in position 5\n`;
      const result = experiment('tcp-non-ascii', [
        tcpServerStarted({ process: endedServer(1, stderr) }),
        tcpClient(1, { exitCode: 1, error: { code: 'ECONNRESET', message: 'ConnectionResetError: [Errno 104]' } }, { status: 'failed', expectations: [failed('stdout.contains')] }),
      ]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['server-crashed']);
      expect(diagnoses[0].message).to.include("TCPServer.py crashed while serving (exit code 1) at TCPServer.py:14 (capitalizedSentence = sentence.decode('ascii').upper())").and.include('UnicodeDecodeError');
    });
  });

  describe('client-crashed', () => {
    it('a traceback that is no network error, with the exception and the program\'s own line', () => {
      const stderr = `Traceback (most recent call last):\n  File "/w/TCPClient.py", line 3, in <module>\n    clientSocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\nAttributeError: type object 'socket' has no attribute 'socket'\n`;
      const result = experiment('tcp-lowercase', [tcpServerStarted(), tcpClient(1, { exitCode: 1, stderr }, { status: 'failed', expectations: [failed('exit')] })]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['client-crashed']);
      expect(diagnoses[0].message).to.include('TCPClient.py stopped at TCPClient.py:3').and.include("AttributeError: type object 'socket' has no attribute 'socket'");
      // A refused connection is the server's story, not a crash of the client's own.
      const refusedRun = experiment('tcp-lowercase', [tcpServerStarted(), tcpClient(1, { exitCode: 1, stderr: `Traceback (most recent call last):\n  File "/w/TCPClient.py", line 6, in <module>\n    clientSocket.connect((serverName, serverPort))\nConnectionRefusedError: [Errno 111] Connection refused\n`, error: refused }, { status: 'failed', expectations: [failed('exit')] })]);
      expect(codes(diagnose(refusedRun, context))).to.not.include('client-crashed');
      // An interactive client stopped by the end of its input did not crash.
      const eof = `Traceback (most recent call last):\n  File "/w/TCPClient.py", line 10, in <module>\n    sentence = input('Input lowercase sentence: ')\nEOFError: EOF when reading a line\n`;
      const endedRun = experiment('tcp-lowercase', [tcpServerStarted(), tcpClient(1, { exitCode: 1, stderr: eof, endedAtEndOfInput: { exception: 'EOFError', at: "sentence = input('Input lowercase sentence: ')" } }, { status: 'failed', expectations: [failed('destination.host')] })]);
      expect(codes(diagnose(endedRun, context))).to.not.include('client-crashed');
    });
  });

  describe('unicode-upper', () => {
    const upperExperiment = (reply: string) =>
      experiment('tcp-non-ascii', [
        tcpServerStarted(),
        tcpClient(1, { stdout: `From Server: ${reply}\n` }, { stdin: 'straße café 日本 ok\n', status: 'failed', expectations: [failed('stdout.contains')] }),
      ]);

    it('blames the server for ß→SS and é→É', () => {
      const diagnoses = diagnose(upperExperiment('STRASSE CAFÉ 日本 OK'), context);
      expect(codes(diagnoses)).to.deep.equal(['unicode-upper']);
      expect(diagnoses[0].message).to.match(/^TCPServer\.py uses str\.upper\(\), which also changes non-ASCII letters \(ß→SS, é→É\)/);
    });

    it('stays quiet when the non-ASCII letters came back unchanged', () => {
      expect(diagnose(upperExperiment('STRAßE CAFé 日本 OK!!'), context)).to.deep.equal([]);
    });
  });

  describe('missing-program', () => {
    it('from a spawn failure, a program the submission lacks, and python3 finding no file', () => {
      const spawnFailed = experiment('tcp-lowercase', [
        tcpServerStarted({ status: 'failed', expectations: [failed('ready')], process: processResult({ command: ['python3', 'TCPServer.py', String(P)], exitCode: null, spawnError: { code: 'ENOPROGRAM', message: 'the submission has no TCPServer.py' } }) }),
      ]);
      expect(codes(diagnose(spawnFailed, context))).to.deep.equal(['missing-program']);
      const noFile = experiment('tcp-lowercase', [
        tcpServerStarted(),
        tcpClient(1, { exitCode: 2, stderr: "python3: can't open file '/w/TCPClient.py': [Errno 2] No such file or directory\n" }, { status: 'failed', expectations: [failed('exit')] }),
      ]);
      const diagnoses = diagnose(noFile, context);
      expect(codes(diagnoses)).to.deep.equal(['missing-program']);
      expect(diagnoses[0].message).to.include('There is no TCPClient.py for tcp-client');
    });
  });

  describe('no-reply and no-response', () => {
    it('no-reply: silent at its timeout although the same client got through before (so not a hard-coded port)', () => {
      const waiting = processResult({ command: ['python3', 'UDPClient.py', '127.0.0.1', String(P)], exitCode: null, signal: 'SIGTERM', timedOut: true, killed: true, stillRunning: true, stdout: 'Input lowercase sentence: ', durationMs: 5000 });
      const result = experiment('udp-empty-line', [
        step(0, { kind: 'start', role: 'udp-server', name: 'udp-server', process: runningUntilStopped(['python3', 'UDPServer.py', String(P)]), ...toldServer() }),
        step(1, { role: 'udp-client', stdin: 'first\n', process: processResult({ command: ['python3', 'UDPClient.py', '127.0.0.1', String(P)], stdout: 'FIRST\n' }), ...toldClient() }),
        step(2, { role: 'udp-client', stdin: '\n', status: 'failed', expectations: [failed('timedOut')], process: waiting, ...toldClient() }),
      ]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['no-reply']);
      expect(diagnoses[0].message).to.include('UDPClient.py waited 5s for a reply from UDPServer.py').and.include('The input was an empty line');
    });

    it('no-response: the web server closed the connection without a status line', () => {
      const result = experiment('web-404', [
        step(0, { kind: 'start', role: 'web-server', name: 'web-server', label: 'start web-server 40002', process: runningUntilStopped(['python3', 'WebServer.py', '40002']), ...toldServer(40002) }),
        step(1, { kind: 'http', label: 'GET http://127.0.0.1:40002/no-such-file.html', status: 'failed', expectations: [failed('response')], details: httpDetails('/no-such-file.html', 40002, { headers: {}, bodyBytes: 0, bodyPreview: '', bodyTruncated: false, durationMs: 5, error: { code: 'ECONNRESET', message: 'socket hang up' } }) }),
      ], { ports: { web: 40002 } });
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['no-response']);
      expect(diagnoses[0].message).to.match(/^WebServer\.py closed the connection without sending any response to GET \/no-such-file\.html/);
    });
  });

  it('no-cache and ignores-reply-codes, from what the fixtures saw', () => {
    const proxy = experiment('proxy-cache-hit', [
      step(0, { kind: 'origin', label: 'origin origin on port 40003', status: 'failed', expectations: [{ ...failed('requests[/cached]', '1 requests for /cached reached the origin', '2 (all counts: {"/cached":2})'), values: { kind: 'count', subject: '/cached', expected: { min: 1, max: 1 }, actual: 2 } }] }),
      step(1, { kind: 'start', role: 'proxy', name: 'proxy', process: runningUntilStopped(['python3', 'ProxyServer.py', '40004'], 'ready\n'), ...toldServer(40004) }),
    ], { ports: { origin: 40003, proxy: 40004 } });
    expect(codes(diagnose(proxy, context))).to.deep.equal(['no-cache']);

    const mail = experiment('mail-rejected-recipient', [
      step(0, { kind: 'smtp-sink', label: 'smtp-sink sink on port 40005' }),
      step(1, { role: 'mail-client', status: 'failed', expectations: [{ ...failed('exit', 'a non-zero exit code', 'exit code 0'), values: { kind: 'exit', expected: 'nonzero', actual: 0 } }], process: processResult({ command: ['python3', 'MailClient.py', '--server', '127.0.0.1', '--port', '40005'], stdout: '250 Accepted\r\n550 5.1.1 <nobody@example.com>: no such user\r\nMail sent\n' }), ...toldClient(40005) }),
    ], { ports: { smtp: 40005 } });
    const diagnoses = diagnose(mail, context);
    expect(codes(diagnoses)).to.deep.equal(['ignores-reply-codes']);
    expect(diagnoses[0].message).to.include('"550 5.1.1 <nobody@example.com>: no such user"');
  });

  describe('web servers and proxies', () => {
    const webStarted = (overrides = {}) =>
      step(0, { kind: 'start', role: 'web-server', name: 'web-server', label: 'start web-server 40002', process: runningUntilStopped(['python3', 'WebServer.py', '40002'], 'Ready to serve...\n'), ...toldServer(40002), ...overrides });
    const exchange = (overrides: Partial<HttpExchangeRecord>): HttpExchangeRecord => ({ headers: {}, bodyBytes: 0, bodyPreview: '', bodyTruncated: false, durationMs: 5, error: null, ...overrides });
    const get = (index: number, path: string, record: HttpExchangeRecord, overrides = {}) =>
      step(index, { kind: 'http', label: `GET http://127.0.0.1:40002${path}`, status: 'failed', expectations: [failed('status')], details: httpDetails(path, 40002, record), ...overrides });

    it('server-crashed: a web server that died on a request explains the request it never answered', () => {
      const stderr = `Traceback (most recent call last):\n  File "/w/WebServer.py", line 21, in <module>\n    outputdata = f.read()\n  File "<frozen codecs>", line 322, in decode\nUnicodeDecodeError: 'utf-8' codec can't decode byte 0x89 in position 0: invalid start byte\n`;
      const crashed = processResult({ command: ['python3', 'WebServer.py', '40002'], exitCode: 1, stderr });
      const result = experiment('web-binary', [
        webStarted({ status: 'failed', expectations: [failed('running')], process: crashed }),
        get(1, '/logo.png', exchange({ error: { code: 'ECONNRESET', message: 'socket hang up' } }), { told: { ports: [40002], hosts: ['127.0.0.1'] } }),
      ]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['server-crashed']);
      expect(diagnoses[0].message).to.include('at WebServer.py:21 (outputdata = f.read()): UnicodeDecodeError');
    });

    it('short-body: fewer bytes than the Content-Length announced (one recv() relayed)', () => {
      const result = experiment('web-large-file', [webStarted(), get(1, '/big.html', exchange({ status: 200, headers: { 'content-length': '70000' }, bodyBytes: 65536 }))]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['short-body']);
      expect(diagnoses[0].message).to.match(/^WebServer\.py sent 65536 of the 70000 bytes its Content-Length announced/);
      const whole = experiment('web-large-file', [webStarted(), get(1, '/big.html', exchange({ status: 200, headers: { 'content-length': '70000' }, bodyBytes: 70000 }))]);
      expect(codes(diagnose(whole, context))).to.not.include('short-body');
    });

    it('hangs-on-cache-miss: the origin answered the proxy, the proxy never answered its client', () => {
      const origin = step(0, { kind: 'origin', label: 'origin origin on port 40003', details: { kind: 'origin', listening: { host: '192.0.2.3', port: 40003 }, requests: [{ method: 'GET', path: '/a', atMs: 30 }], counts: { '/a': 1 } } });
      const proxy = step(1, { kind: 'start', role: 'proxy', name: 'proxy', process: runningUntilStopped(['python3', 'ProxyServer.py', '40004'], 'Ready to serve...\n'), ...toldServer(40004) });
      const fetch = (error: HttpExchangeRecord['error']) =>
        step(2, { kind: 'http', label: 'GET http://www.example.test/a', status: 'failed', expectations: [failed('response')], details: { ...httpDetails('/a', 40004, exchange({ error })), request: { method: 'GET', url: 'http://www.example.test/a', path: '/a', headers: {}, bodyBytes: 0 }, proxy: 'http://127.0.0.1:40004' } });
      const hung = experiment('proxy-fetch', [origin, proxy, fetch({ code: 'ETIMEDOUT', message: 'no response within 5s' })], { ports: { origin: 40003, proxy: 40004 } });
      const diagnoses = diagnose(hung, context);
      expect(codes(diagnoses)).to.deep.equal(['hangs-on-cache-miss']);
      expect(diagnoses[0].message).to.match(/^ProxyServer\.py fetched \/a from the origin \(the origin answered\) but never answered its client/);
      const neverAsked = experiment('proxy-fetch', [{ ...origin, details: { kind: 'origin', listening: { host: '192.0.2.3', port: 40003 }, requests: [], counts: {} } }, proxy, fetch({ code: 'ETIMEDOUT', message: 'no response within 5s' })], { ports: { origin: 40003, proxy: 40004 } });
      expect(codes(diagnose(neverAsked, context))).to.not.include('hangs-on-cache-miss');
    });

    it('ignores-url-path: the origin was asked for / whatever the client asked for', () => {
      const originDetails = (paths: string[]) => ({ kind: 'origin' as const, listening: { host: '192.0.2.3', port: 40003 }, requests: paths.map((path, index) => ({ method: 'GET', path, atMs: 30 + index })), counts: {} });
      const proxy = step(1, { kind: 'start', role: 'proxy', name: 'proxy', process: runningUntilStopped(['python3', 'ProxyServer.py', '40004'], 'Ready to serve...\n'), ...toldServer(40004) });
      const fetch = step(2, { kind: 'http', label: 'GET http://www.example.test/a', status: 'failed', expectations: [failed('body')], details: { ...httpDetails('/a', 40004, exchange({ status: 200 })), request: { method: 'GET', url: 'http://www.example.test/a', path: '/a', headers: {}, bodyBytes: 0 }, proxy: 'http://127.0.0.1:40004' } });
      const run = (paths: string[]) => experiment('proxy-fetch', [step(0, { kind: 'origin', label: 'origin', details: originDetails(paths) }), proxy, fetch], { ports: { origin: 40003, proxy: 40004 } });
      const diagnoses = diagnose(run(['/']), context);
      expect(codes(diagnoses)).to.include('ignores-url-path');
      expect(diagnoses.find((diagnosis) => diagnosis.code === 'ignores-url-path')!.message).to.match(/^ProxyServer\.py asked the origin for \/ \("GET \/"\) when its client asked for \/a/);
      // The path asked for reached the origin: something else went wrong.
      expect(codes(diagnose(run(['/a']), context))).to.not.include('ignores-url-path');
    });

    it('closes-listening-socket: still running after a 404, yet the next request is refused', () => {
      const missing = get(1, '/nothing.html', exchange({ status: 404 }), { status: 'passed', expectations: [] });
      const refusedAfter = get(2, '/HelloWorld.html', exchange({ error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' } }));
      const result = experiment('web-after-404', [webStarted(), missing, refusedAfter], { ports: { web: 40002 } });
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['closes-listening-socket']);
      expect(diagnoses[0].message).to.include('closed its listening socket in the 404 branch').and.include('connectionSocket.close()');
      // What the source shows names the line.
      const closeLine = { kind: 'listening-socket-closed' as const, line: 31, text: 'serverSocket.close()', value: 'serverSocket' };
      const withSource = context.map((entry) => (entry.role === 'web-server' ? { ...entry, source: { file: 'WebServer.py', findings: [closeLine] } } : entry));
      expect(diagnose(result, withSource)[0].message).to.include('in the 404 branch (WebServer.py:31: serverSocket.close())');
      // Without a 404 before, a refusal is another story (a hard-coded port, a server that exited).
      const noPrior404 = experiment('web-after-404', [webStarted(), refusedAfter], { ports: { web: 40002 } });
      expect(codes(diagnose(noPrior404, context))).to.not.include('closes-listening-socket');
    });

    it('serves-outside-folder: /etc/passwd came back for a path with ".."', () => {
      const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n';
      const result = experiment('web-dot-dot', [webStarted(), get(1, '/../../etc/passwd', exchange({ status: 200, bodyBytes: passwd.length, bodyPreview: passwd }))]);
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['serves-outside-folder']);
      expect(diagnoses[0].message).to.match(/^WebServer\.py served \/etc\/passwd/);
      const page = experiment('web-dot-dot', [webStarted(), get(1, '/../../etc/passwd', exchange({ status: 200, bodyBytes: 12, bodyPreview: 'root of site' }))]);
      expect(codes(diagnose(page, context))).to.not.include('serves-outside-folder');
    });

    it('env-variable-missing: a KeyError from os.environ, with the line', () => {
      const stderr = `Traceback (most recent call last):\n  File "/w/MailClient.py", line 12, in <module>\n    password = os.environ['GMAIL_PASSWORD']\n  File "/usr/lib/python3.11/os.py", line 679, in __getitem__\n    raise KeyError(key) from None\nKeyError: 'GMAIL_PASSWORD'\n`;
      const run = (text: string) =>
        experiment('mail-delivered', [
          step(0, { kind: 'smtp-sink', label: 'smtp-sink sink on port 40005' }),
          step(1, { role: 'mail-client', status: 'failed', expectations: [failed('exit')], process: processResult({ command: ['python3', 'MailClient.py'], exitCode: 1, stderr: text }), ...toldClient(40005) }),
        ], { ports: { smtp: 40005 } });
      const diagnoses = diagnose(run(stderr), context);
      expect(codes(diagnoses)).to.include('env-variable-missing');
      expect(diagnoses.find((diagnosis) => diagnosis.code === 'env-variable-missing')!.message).to.include('environment variable GMAIL_PASSWORD is not set');
      const dictKey = stderr.replace("os.environ['GMAIL_PASSWORD']", "config['GMAIL_PASSWORD']").replace(/ {2}File "\/usr[^\n]*\n[^\n]*\n/, '');
      expect(codes(diagnose(run(dictKey), context))).to.not.include('env-variable-missing');
    });

    it('path-with-leading-slash: 404 for a page placed in its own folder', () => {
      const result = experiment('web-own-page', [webStarted({ placedFiles: ['socklab-hello.html'] }), get(1, '/socklab-hello.html', exchange({ status: 404 }))], { ports: { web: 40002 } });
      const diagnoses = diagnose(result, context);
      expect(codes(diagnoses)).to.deep.equal(['path-with-leading-slash']);
      expect(diagnoses[0].message).to.include('open(filename[1:])');
      const reallyMissing = experiment('web-own-page', [webStarted({ placedFiles: ['socklab-hello.html'] }), get(1, '/other.html', exchange({ status: 404 }))], { ports: { web: 40002 } });
      expect(codes(diagnose(reallyMissing, context))).to.not.include('path-with-leading-slash');
    });
  });

  it('blames only roles the submission plays (curl, a tool, never)', () => {
    const result = experiment('proxy-real-clients', [
      step(0, { kind: 'start', role: 'proxy', name: 'proxy', process: runningUntilStopped(['python3', 'ProxyServer.py', String(P)], 'ready\n'), ...toldServer() }),
      step(1, { role: 'curl', status: 'failed', expectations: [failed('exit')], process: processResult({ command: ['curl', '-x', `http://127.0.0.1:${P}`, String(P)], exitCode: 7, error: { code: 'ECONNREFUSED', message: 'Connection refused' } }), ...toldClient() }),
    ]);
    expect(diagnose(result, context)).to.deep.equal([]);
    expect(codes(diagnose(result, []))).to.deep.equal(['ignores-cli-port']);
  });
});
