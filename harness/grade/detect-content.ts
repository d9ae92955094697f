// Which role a source file plays, read from what it does rather than from its name, for the files whose
// names are not the lab's (task1/tcp_server.py, 2-webserver/server.py, http_proxy.py, mail_client.py):
//   TCP server   SOCK_STREAM, bind, listen, accept          UDP server   SOCK_DGRAM, bind, recvfrom
//   TCP client   SOCK_STREAM, connect; no bind or listen    UDP client   SOCK_DGRAM, sendto; no bind
//   web server   listen, accept, the request line parsed (GET, split()), an HTTP/1.x status sent
//   proxy        listen, accept, a connection upstream, an HTTP request or URL
//   mail client  HELO or EHLO, and MAIL FROM
// Python first; Java (ServerSocket, Socket, DatagramSocket) and C by the same signals. A file with
// both a server and a client that picks one by its first argument (`tcp.py server PORT`, `tcp.py
// client HOST PORT`) plays both roles, each with its mode word. The role names are this lab's.
import type { ModeScope } from './detect-arguments.js';
import { sourceLine, type SourceCode } from './source-code.js';
import type { SourceLine } from '../model/result.js';

export interface ContentMatch {
  role: string;
  /** What the file does, in a few words: `a TCP server (bind, listen, accept)`. */
  why: string;
  /** When one file plays two roles: the word that picks this one, where it is compared, and that branch's lines. */
  mode?: { word: string; line: SourceLine; scope: ModeScope };
}

/** What each role's program does, for the report of a role nothing was found for. */
export const CONTENT_SIGNATURES: Readonly<Record<string, string>> = {
  'tcp-server': 'a TCP server (SOCK_STREAM, bind, listen, accept)',
  'udp-server': 'a UDP server (SOCK_DGRAM, bind, recvfrom)',
  'tcp-client': 'a TCP client (connect without bind or listen)',
  'udp-client': 'a UDP client (sendto without bind)',
  'web-server': 'a web server (listen, accept, a parsed GET request line, an HTTP status line sent)',
  proxy: 'a web proxy (listen, accept, a connection upstream, an HTTP request)',
  'mail-client': 'a mail client (HELO or EHLO, MAIL FROM)',
};

type Signal = 'stream' | 'dgram' | 'bind' | 'listen' | 'accept' | 'connect' | 'sendto' | 'recvfrom' | 'httpStatus' | 'parsesRequest' | 'httpOut' | 'helo' | 'mailFrom';

/** Each signal's pattern and the word the report uses for it; Java spells sockets its own way. */
const SOCKET_SIGNALS: Record<'default' | 'java', Partial<Record<Signal, [RegExp, string]>>> = {
  default: {
    stream: [/SOCK_STREAM|\bcreate_connection\s*\(|\bcreate_server\s*\(|\bsocket\s*\(\s*\)/, 'SOCK_STREAM'],
    dgram: [/SOCK_DGRAM/, 'SOCK_DGRAM'],
    bind: [/\bbind\s*\(|\bcreate_server\s*\(/, 'bind'],
    listen: [/\blisten\s*\(|\bcreate_server\s*\(/, 'listen'],
    accept: [/\baccept\s*\(/, 'accept'],
    connect: [/\bconnect\s*\(|\bcreate_connection\s*\(/, 'connect'],
    sendto: [/\bsendto\s*\(/, 'sendto'],
    recvfrom: [/\brecvfrom\s*\(/, 'recvfrom'],
  },
  java: {
    stream: [/\bnew\s+(Server)?Socket\s*\(/, 'Socket'],
    dgram: [/\bDatagramSocket\b/, 'DatagramSocket'],
    bind: [/\bnew\s+ServerSocket\s*\(|\bnew\s+DatagramSocket\s*\(\s*[^)\s]|\.bind\s*\(/, 'a port to bind'],
    listen: [/\bnew\s+ServerSocket\s*\(/, 'ServerSocket'],
    accept: [/\.accept\s*\(/, 'accept'],
    connect: [/\bnew\s+Socket\s*\(|\.connect\s*\(/, 'new Socket'],
    sendto: [/\.send\s*\(/, 'send'],
    recvfrom: [/\.receive\s*\(/, 'receive'],
  },
};

const PROTOCOL_SIGNALS: Partial<Record<Signal, [RegExp, string]>> = {
  httpStatus: [/HTTP\/1\.[01]\s+\d{3}|\b(200 OK|404 Not Found)\b/, 'an HTTP status line'],
  parsesRequest: [/["']GET\b|\.split\s*\(/, 'the request line parsed'],
  httpOut: [/["']GET\s|Host:\s|https?:\/\//, 'an HTTP request'],
  helo: [/\b(HELO|EHLO)\b/, 'HELO/EHLO'],
  mailFrom: [/MAIL FROM/i, 'MAIL FROM'],
};

/** Whether the file answers HTTP requests (a web server or a proxy): where it finds its pages matters. */
export function servesHttp(source: SourceCode): boolean {
  return rolesByContent(source).some((match) => match.role === 'web-server' || match.role === 'proxy');
}

export function rolesByContent(source: SourceCode): ContentMatch[] {
  const text = source.code.join('\n');
  const table = { ...SOCKET_SIGNALS[source.language === 'java' ? 'java' : 'default'], ...PROTOCOL_SIGNALS };
  const has = (signal: Signal) => table[signal]![0].test(text);
  const why = (phrase: string, ...signals: Signal[]) => `${phrase} (${signals.map((signal) => table[signal]![1]).join(', ')})`;
  if (has('helo') && has('mailFrom')) return [{ role: 'mail-client', why: why('a mail client', 'helo', 'mailFrom') }];
  const serves = has('listen') && has('accept');
  if (serves && has('connect') && (has('httpStatus') || has('parsesRequest') || has('httpOut'))) {
    return [{ role: 'proxy', why: why('a web proxy', 'listen', 'accept', 'connect', has('httpOut') ? 'httpOut' : has('parsesRequest') ? 'parsesRequest' : 'httpStatus') }];
  }
  if (serves && has('httpStatus') && has('parsesRequest')) return [{ role: 'web-server', why: why('a web server', 'listen', 'accept', 'parsesRequest', 'httpStatus') }];
  const tcpServer = has('stream') && has('bind') && serves;
  const udpServer = has('dgram') && has('bind') && has('recvfrom');
  const tcpClient = has('stream') && has('connect');
  const udpClient = has('dgram') && has('sendto');
  const modes = modeWords(source);
  const both = (server: string, client: string, serverWhy: string, clientWhy: string): ContentMatch[] => [
    { role: server, why: `${serverWhy}, when its first argument is ${modes.server!.word}`, mode: modes.server! },
    { role: client, why: `${clientWhy}, when its first argument is ${modes.client!.word}`, mode: modes.client! },
  ];
  if (modes.server && modes.client) {
    if (tcpServer && tcpClient) return both('tcp-server', 'tcp-client', why('a TCP server', 'bind', 'listen', 'accept'), why('a TCP client', 'connect'));
    if (udpServer && udpClient) return both('udp-server', 'udp-client', why('a UDP server', 'bind', 'recvfrom'), why('a UDP client', 'sendto'));
  }
  if (tcpServer && !has('httpStatus')) return [{ role: 'tcp-server', why: why('a TCP server', 'stream', 'bind', 'listen', 'accept') }];
  if (udpServer) return [{ role: 'udp-server', why: why('a UDP server', 'dgram', 'bind', 'recvfrom') }];
  // An HTTP client (a test script of a web server) is not the lab's TCP client.
  if (tcpClient && !has('bind') && !has('listen') && !has('httpOut') && !has('httpStatus')) return [{ role: 'tcp-client', why: why('a TCP client', 'stream', 'connect') }];
  if (udpClient && !has('bind')) return [{ role: 'udp-client', why: why('a UDP client', 'dgram', 'sendto') }];
  return [];
}

const SERVER_WORD = /^-{0,2}(s|serve|server|srv|listen)$/i;
const CLIENT_WORD = /^-{0,2}(c|client|cli|connect|send)$/i;

/** The words a file compares its first argument with (`sys.argv[1] == 'server'`), and each one's branch. */
function modeWords(source: SourceCode): { server?: ContentMatch['mode']; client?: ContentMatch['mode'] } {
  const first = FIRST_ARGUMENT[source.language];
  const variables = new Set<string>();
  const compared: Array<{ word: string; index: number }> = [];
  source.code.forEach((line, index) => {
    const assigned = new RegExp(`^\\s*(?:\\w+\\s+)?(\\w+)\\s*=\\s*${first}\\s*;?\\s*$`).exec(line);
    if (assigned) variables.add(assigned[1]);
    const subject = `(?:${[first, ...variables].join('|')})`;
    const patterns = [
      new RegExp(`${subject}\\s*==\\s*["']([\\w-]+)["']`, 'g'),
      new RegExp(`["']([\\w-]+)["']\\s*==\\s*${subject}`, 'g'),
      new RegExp(`${subject}\\s*\\.equals(?:IgnoreCase)?\\s*\\(\\s*"([\\w-]+)"`, 'g'),
      new RegExp(`"([\\w-]+)"\\s*\\.equals(?:IgnoreCase)?\\s*\\(\\s*${subject}`, 'g'),
      new RegExp(`strcmp\\s*\\(\\s*${subject}\\s*,\\s*"([\\w-]+)"`, 'g'),
    ];
    for (const pattern of patterns) for (const match of line.matchAll(pattern)) compared.push({ word: match[1], index });
  });
  const branch = (pattern: RegExp): ContentMatch['mode'] => {
    const found = compared.find((entry) => pattern.test(entry.word));
    if (!found) return undefined;
    const next = compared.find((entry) => entry.index > found.index);
    return { word: found.word, line: sourceLine(source, found.index), scope: { from: found.index, to: next?.index ?? source.code.length } };
  };
  return { server: branch(SERVER_WORD), client: branch(CLIENT_WORD) };
}

/** How each language writes its first argument. */
const FIRST_ARGUMENT: Record<SourceCode['language'], string> = {
  python: '(?:sys\\.)?argv\\s*\\[\\s*1\\s*\\]',
  java: '\\w+\\s*\\[\\s*0\\s*\\]',
  c: 'argv\\s*\\[\\s*1\\s*\\]',
  javascript: '(?:process\\.)?argv\\s*\\[\\s*2\\s*\\]',
};
