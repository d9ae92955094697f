// Real lab-style programs in Python, Node, Java and C that really fail, with their real output fed
// to detectNetworkError: the table must recognise what the runtimes print today, not what we
// remember them printing. Fixture sources live in test/fixtures/languages/ (tsc does not copy them).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectNetworkError, type NetworkErrorCode } from '../../harness/expect/network-errors.js';

// From dist/test/component/ back to the sources in the repository.
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/languages/', import.meta.url));
const HOST = '127.0.0.1';
const RUN_TIMEOUT_MS = 5_000;

interface Run {
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
  durationMs: number;
  spawnError: NodeJS.ErrnoException | null;
}

/** Runs a program to its end, killing it (and reporting timedOut) if it outlives the timeout. */
function run(command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  const started = Date.now();
  const rendered = [command, ...args].join(' ');
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd ?? FIXTURES, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | null = null;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? RUN_TIMEOUT_MS);
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ command: rendered, exitCode, signal, output, timedOut, durationMs: Date.now() - started, spawnError });
    };
    child.on('error', (error) => {
      spawnError = error;
      // A program that never started may not emit 'close'; a started one will, after its output.
      if (child.pid === undefined) finish(null, null);
    });
    child.on('close', finish);
  });
}

/** Fails (never skips) when a toolchain is missing, saying what to install. */
async function requireTool(command: string, versionArgs: string[], install: string): Promise<void> {
  const probe = await run(command, versionArgs);
  if (probe.spawnError?.code === 'ENOENT') throw new Error(`\`${command}\` is not on PATH: install ${install}`);
  if (probe.spawnError || probe.exitCode !== 0) throw new Error(`\`${probe.command}\` does not work:\n${probe.spawnError?.message ?? probe.output}`);
}

async function compile(command: string, args: string[]): Promise<void> {
  const result = await run(command, args, { timeoutMs: 20_000 });
  if (result.spawnError || result.exitCode !== 0) throw new Error(`\`${result.command}\` failed:\n${result.spawnError?.message ?? result.output}`);
}

function listenTcp(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function closeTcp(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nobody listens on: bound by the kernel's choice, then released. */
async function closedTcpPort(): Promise<number> {
  const server = net.createServer();
  const port = await listenTcp(server);
  await closeTcp(server);
  return port;
}

function bindUdp(socket: dgram.Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, HOST, () => resolve(socket.address().port));
  });
}

async function closedUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  const port = await bindUdp(socket);
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Asserts the program ended by itself, unsuccessfully, with `code` recognised in its output. */
function expectNetworkError(result: Run, code: NetworkErrorCode): void {
  const shown = `\`${result.command}\` printed:\n${result.output}`;
  expect(result.spawnError?.message, `could not start \`${result.command}\``).to.equal(undefined);
  expect(result.timedOut, `still running after ${RUN_TIMEOUT_MS} ms; ${shown}`).to.equal(false);
  expect(result.exitCode, `exit status (signal ${result.signal}); ${shown}`).to.be.a('number').and.not.equal(0);
  expect(detectNetworkError(result.output)?.code, shown).to.equal(code);
}

interface Language {
  name: string;
  /** Checks the toolchain and compiles into `buildDir` where needed. */
  prepare(buildDir: string): Promise<void>;
  client(buildDir: string, host: string, port: number): [string, string[]];
  server(buildDir: string, host: string, port: number): [string, string[]];
}

const LANGUAGES: Language[] = [
  {
    name: 'Python 3',
    prepare: () => requireTool('python3', ['--version'], 'Python 3 (e.g. apt-get install python3)'),
    client: (_, host, port) => ['python3', ['tcp_client.py', host, String(port)]],
    server: (_, host, port) => ['python3', ['tcp_server.py', host, String(port)]],
  },
  {
    name: 'Node',
    prepare: async () => undefined,
    client: (_, host, port) => [process.execPath, ['tcp-client.mjs', host, String(port)]],
    server: (_, host, port) => [process.execPath, ['tcp-server.mjs', host, String(port)]],
  },
  {
    name: 'Java',
    prepare: async (buildDir) => {
      const jdk = 'a JDK 17 or newer (e.g. apt-get install openjdk-17-jdk-headless)';
      await requireTool('javac', ['-version'], jdk);
      await requireTool('java', ['-version'], jdk);
      await compile('javac', ['-d', buildDir, path.join(FIXTURES, 'TCPClient.java'), path.join(FIXTURES, 'TCPServer.java')]);
    },
    client: (buildDir, host, port) => ['java', ['-cp', buildDir, 'TCPClient', host, String(port)]],
    server: (buildDir, host, port) => ['java', ['-cp', buildDir, 'TCPServer', host, String(port)]],
  },
  {
    name: 'C',
    prepare: async (buildDir) => {
      await requireTool('gcc', ['--version'], 'a C compiler (e.g. apt-get install gcc libc6-dev)');
      for (const program of ['tcp_client', 'tcp_server']) {
        await compile('gcc', ['-Wall', '-Wextra', '-Werror', '-o', path.join(buildDir, program), path.join(FIXTURES, `${program}.c`)]);
      }
    },
    client: (buildDir, host, port) => [path.join(buildDir, 'tcp_client'), [host, String(port)]],
    server: (buildDir, host, port) => [path.join(buildDir, 'tcp_server'), [host, String(port)]],
  },
];

describe('network errors printed by real programs', function () {
  this.timeout(20_000);

  for (const language of LANGUAGES) {
    describe(language.name, () => {
      let buildDir = '';

      before(async () => {
        buildDir = await mkdtemp(path.join(tmpdir(), 'socklab-languages-'));
        await language.prepare(buildDir);
      });

      after(async () => {
        if (buildDir) await rm(buildDir, { recursive: true, force: true });
      });

      it('a TCP client connecting to a closed port reports ECONNREFUSED', async () => {
        const [command, args] = language.client(buildDir, HOST, await closedTcpPort());
        expectNetworkError(await run(command, args), 'ECONNREFUSED');
      });

      it('a TCP server binding a port that is already held reports EADDRINUSE', async () => {
        const holder = net.createServer();
        const port = await listenTcp(holder);
        try {
          const [command, args] = language.server(buildDir, HOST, port);
          expectNetworkError(await run(command, args), 'EADDRINUSE');
        } finally {
          await closeTcp(holder);
        }
      });

      it('a TCP client given a host name that cannot resolve reports ENOTFOUND', async () => {
        // .invalid never resolves (RFC 6761) and fails without any network; a hang here means this
        // machine's resolver is misconfigured, and the timeout below says so instead of hanging.
        const [command, args] = language.client(buildDir, 'no-such-host.invalid', 80);
        const result = await run(command, args);
        expect(result.timedOut, `resolving no-such-host.invalid took over ${RUN_TIMEOUT_MS} ms: name resolution hangs on this machine`).to.equal(false);
        expectNetworkError(result, 'ENOTFOUND');
      });
    });
  }

  describe('Python 3, more failures', () => {
    before(() => requireTool('python3', ['--version'], 'Python 3 (e.g. apt-get install python3)'));

    it('a TCP client reset by its server while in recv reports ECONNRESET', async () => {
      // The server aborts the connection (RST) once the client has sent and is waiting for a reply.
      const server = net.createServer((socket) => {
        socket.once('data', () => setTimeout(() => socket.resetAndDestroy(), 100));
      });
      const port = await listenTcp(server);
      try {
        expectNetworkError(await run('python3', ['tcp_client.py', HOST, String(port)]), 'ECONNRESET');
      } finally {
        await closeTcp(server);
      }
    });

    it('a connected UDP socket sending to a closed port reports ECONNREFUSED (from ICMP port unreachable)', async () => {
      const result = await run('python3', ['udp_client.py', HOST, String(await closedUdpPort()), '3']);
      expectNetworkError(result, 'ECONNREFUSED');
    });

    it('a UDP recv with settimeout(0.3) on a silent server reports ETIMEDOUT', async () => {
      // The test holds the port without ever answering, so no ICMP error can end the wait early.
      const silent = dgram.createSocket('udp4');
      const port = await bindUdp(silent);
      try {
        const result = await run('python3', ['udp_client.py', HOST, String(port), '0.3']);
        expectNetworkError(result, 'ETIMEDOUT');
        expect(result.durationMs, 'waited for the 0.3 s timeout').to.be.at.least(300);
      } finally {
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });
  });
});
