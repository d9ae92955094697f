// Commands a person can paste into a shell to do by hand what a step did: the program's own argv,
// stdin as `printf '…' |`, and for the parts socklab plays itself (its HTTP client, its mail server)
// the usual tool that does the same (curl, nc, aiosmtpd, python3 -m http.server, chromium).
import type { StepDetails } from '../../model/result.js';
import { formatCommand } from '../result-text.js';

/** `printf 'hello, World & 42!\n'`: the exact bytes, with printf's own escapes for \, %, ' and control characters. */
export function printfCommand(text: string): string {
  const escaped = Array.from(text, (character) => {
    const code = character.codePointAt(0)!;
    if (character === '\\') return '\\\\';
    if (character === '%') return '%%';
    if (character === "'") return "'\\''";
    if (character === '\n') return '\\n';
    if (character === '\r') return '\\r';
    if (character === '\t') return '\\t';
    if (code < 0x20 || code === 0x7f) return `\\${code.toString(8).padStart(3, '0')}`;
    return character;
  }).join('');
  return `printf '${escaped}'`;
}

/** The program's command line, fed its stdin through a pipe when it had one. */
export function programCommand(argv: string[], stdin: string | undefined): string {
  const command = formatCommand(argv);
  return stdin === undefined || stdin === '' ? command : `${printfCommand(stdin)} | ${command}`;
}

/** What a part socklab played itself looks like by hand, and the words that say it is an equivalent. */
export interface Equivalent {
  command?: string;
  /** Who really played it: "socklab's HTTP client sent this request; curl sends the same". */
  says: string;
  /** What it saw, as the tool would print it (`curl -i`: status line, headers, body), when socklab recorded it. */
  output?: string;
}

export function equivalentOf(details: StepDetails | undefined, kind: string): Equivalent {
  switch (details?.kind) {
    case 'http': {
      const { request } = details;
      const options = ['-i', '--path-as-is'];
      if (request.method !== 'GET' && request.method !== 'HEAD') options.push('-X', request.method);
      if (request.method === 'HEAD') options.push('--head');
      for (const [name, value] of Object.entries(request.headers)) options.push('-H', `${name}: ${value}`);
      if (details.proxy) options.push('--proxy', details.proxy);
      const times = details.exchanges.length > 1 ? `, ${details.exchanges.length} at once` : '';
      const body = request.bodyBytes ? ` with a ${request.bodyBytes}-byte body` : '';
      const first = details.exchanges[0];
      const output =
        first?.status !== undefined
          ? `HTTP/${first.httpVersion ?? '1.1'} ${first.status} ${first.statusText ?? ''}`.trimEnd() +
            `\n${Object.entries(first.headers).map(([name, value]) => `${name}: ${value}\n`).join('')}\n${first.bodyPreview}${first.bodyTruncated ? '…' : ''}`
          : first?.error
            ? `(no response: ${first.error.code}, ${first.error.message})`
            : undefined;
      return { command: formatCommand(['curl', ...options, request.url]), says: `socklab's HTTP client sent this request${body}${times}; curl sends the same`, ...(output ? { output } : {}) };
    }
    case 'raw': {
      const bytes = details.sentPreview.endsWith('…') ? ' (the start of them)' : '';
      return {
        command: `printf '${details.sentPreview.replace(/…$/, '').replace(/'/g, "'\\''").replace(/%/g, '%%')}' | nc ${details.target.host} ${details.target.port}`,
        says: `socklab sent these exact bytes${bytes} over TCP; nc does the same`,
        output: details.receivedPreview,
      };
    }
    case 'origin':
      return {
        command: formatCommand(['python3', '-m', 'http.server', String(details.listening.port), '--bind', details.listening.host]),
        says: `socklab's origin web server answered on ${details.listening.host}:${details.listening.port}; any web server serving the same paths will do`,
        output: details.requests.map((request) => `"${request.method} ${request.path}" received\n`).join(''),
      };
    case 'smtp-sink':
      return {
        command: formatCommand(['python3', '-m', 'aiosmtpd', '-n', '-l', `${details.listening.host}:${details.listening.port}`]),
        says: `socklab's mail server listened on ${details.listening.host}:${details.listening.port}; Debian's aiosmtpd (python3-aiosmtpd) does the same and prints what it receives`,
        output: [
          ...details.sessions.filter((session) => session.commands.length > 0).map((session) => `${session.remote}${session.secure ? ' (TLS)' : ''}: ${session.commands.join(' → ')}\n`),
          ...details.messages.map((message) => `message from ${message.from} to ${message.to.join(', ')}${message.headers.subject ? `: ${message.headers.subject}` : ''}\n`),
        ].join(''),
      };
    case 'relay':
      return { says: `socklab's ${details.protocol.toUpperCase()} link on port ${details.listening.port} forwarded to ${details.to.port} (dropping, delaying or reordering as the spec says); there is no one-line command for it: by hand, point the client at the server's port directly` };
    case 'browser':
      return { command: formatCommand(['chromium', ...(details.proxy ? [`--proxy-server=${details.proxy}`] : []), details.url]), says: "socklab's headless Chromium opened this page; any browser will do" };
    default:
      return { says: `socklab's ${kind} step` };
  }
}
