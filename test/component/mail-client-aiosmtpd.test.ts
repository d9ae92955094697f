// The reference mail client against an independent SMTP server: Debian's aiosmtpd (python3-aiosmtpd,
// installed by .ci/run), whose default handler prints every message it receives.
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { allocatePort } from '../../harness/plan/allocate-ports.js';
import { repoRoot } from '../support/paths.js';
import { debianPython, needsTool } from '../support/tools.js';

describe('mail-client against aiosmtpd (an independent SMTP server)', function () {
  this.timeout(30_000);
  let server: ChildProcess | undefined;
  let printed = '';

  before(function () {
    needsTool(this, 'aiosmtpd');
  });

  afterEach(() => {
    server?.kill('SIGKILL');
    server = undefined;
  });

  it('delivers a message: aiosmtpd prints the headers, the peer and a dot-stuffed body line intact', async () => {
    const port = await allocatePort();
    server = spawn(debianPython, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    printed = '';
    server.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await waitForPort(port);
    const client = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'dist', 'services', 'mail-client.js'), '--server', '127.0.0.1', '--port', String(port), '--from', 'alice@example.com', '--to', 'bob@example.com', '--subject', 'Via aiosmtpd'],
      { input: 'hello aiosmtpd\n.starts with a dot\n', encoding: 'utf8', timeout: 15_000 },
    );
    expect(client.status, client.stderr).to.equal(0);
    expect(client.stdout).to.match(/^mail-client: message accepted: 250 /m);
    await until(() => printed.includes('END MESSAGE'), 5000);
    expect(printed).to.contain('Subject: Via aiosmtpd');
    expect(printed).to.match(/^From: alice@example.com$/m);
    expect(printed).to.match(/^To: bob@example.com$/m);
    expect(printed).to.match(/^X-Peer: \('127\.0\.0\.1', \d+\)$/m);
    expect(printed).to.contain('hello aiosmtpd');
    expect(printed).to.match(/^\.starts with a dot$/m);
  });
});

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import('node:net');
  await until(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      }),
    10_000,
  );
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${ms}ms`);
}
