// The tcpdump session: what it does when tcpdump is missing, not allowed, broken or slow (never a
// throw: a skipped or failed session), the filter it passes, and a stop() that keeps the last packets.
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readPcap } from '../../harness/capture/read-pcap.js';
import { buildCaptureFilter } from '../../harness/capture/tcpdump-filter.js';
import { startCapture } from '../../harness/capture/tcpdump-session.js';
import { isAlive, waitUntilGone } from '../support/processes.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';
import { closedTcpPort, tcpClient } from './capture-network.js';

const dir = new TempDir();
after(() => dir.remove());

const LISTENING = 'echo "tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes" >&2';

/** A stand-in for tcpdump: a shell script that records its pid and then does `body`. */
function fakeTcpdump(name: string, body: string): { path: string; pid: () => number } {
  const pidFile = path.join(dir.path, `${name}.pid`);
  const script = dir.write(`${name}.sh`, `#!/bin/sh\necho $$ > ${pidFile}\n${body}\n`);
  chmodSync(script, 0o755);
  return { path: script, pid: () => Number(readFileSync(pidFile, 'utf8')) };
}

describe('tcpdump session: when capture cannot happen', () => {
  it('skips with an install hint when tcpdump is not installed', async () => {
    const session = await startCapture({ ports: [5000], file: path.join(dir.path, 'none.pcap'), tcpdumpPath: '/nonexistent/tcpdump' });
    expect(session).to.include({ status: 'skipped', reason: 'tcpdump not found: install it (apt-get install tcpdump)' });
    expect(await session.stop()).to.deep.equal({ ok: false, status: 'skipped', reason: 'tcpdump not found: install it (apt-get install tcpdump)' });
  });

  it('skips with what to do when tcpdump may not capture', async () => {
    const fake = fakeTcpdump('no-permission', `echo "tcpdump: lo: You don't have permission to perform this capture on that device" >&2\necho "(socket: Operation not permitted)" >&2\nexit 1`);
    const session = await startCapture({ ports: [5000], file: path.join(dir.path, 'denied.pcap'), tcpdumpPath: fake.path });
    expect(session.status).to.equal('skipped');
    expect(session.reason).to.equal(
      "tcpdump may not capture here (tcpdump: lo: You don't have permission to perform this capture on that device): run socklab as root, " +
        'or give tcpdump the capability (sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)")',
    );
  });

  it('fails, naming the interface problem, for an interface that does not exist', async function () {
    needsTool(this, 'tcpdump');
    const session = await startCapture({ ports: [5000], interface: 'nosuchif0', file: path.join(dir.path, 'noif.pcap') });
    expect(session).to.include({ status: 'failed', reason: 'tcpdump cannot capture on that interface: tcpdump: nosuchif0: No such device exists' });
  });

  it('fails, naming the file, when the capture file cannot be written', async function () {
    needsTool(this, 'tcpdump');
    const session = await startCapture({ ports: [5000], file: '/nonexistent-folder/x.pcap' });
    expect(session).to.include({ status: 'failed', reason: 'tcpdump cannot write the capture file: tcpdump: /nonexistent-folder/x.pcap: No such file or directory' });
  });

  it('fails for a port that cannot be filtered on', async () => {
    const session = await startCapture({ ports: [0], file: path.join(dir.path, 'port0.pcap') });
    expect(session).to.include({ status: 'failed', reason: 'capture filter: port must be 1–65535, got 0' });
  });

  it('gives up on a tcpdump that never starts listening, and kills it', async () => {
    const fake = fakeTcpdump('silent', 'sleep 30');
    const session = await startCapture({ ports: [5000], file: path.join(dir.path, 'silent.pcap'), tcpdumpPath: fake.path, startTimeoutMs: 300 });
    expect(session).to.include({ status: 'failed', reason: 'tcpdump did not start capturing within 300ms' });
    expect(await waitUntilGone(fake.pid())).to.equal(true);
  });
});

describe('tcpdump session: stopping', () => {
  it('kills a tcpdump that ignores SIGINT after the deadline', async () => {
    const fake = fakeTcpdump('stubborn', `${LISTENING}\ntrap '' INT\nwhile :; do sleep 0.05; done`);
    const session = await startCapture({ ports: [5000], file: path.join(dir.path, 'stubborn.pcap'), tcpdumpPath: fake.path, stopTimeoutMs: 300, flushTimeoutMs: 50 });
    expect(session.status).to.equal('capturing');
    const stopped = await session.stop();
    expect(stopped).to.deep.include({ ok: false, status: 'failed', reason: 'tcpdump did not stop within 300ms of SIGINT and was killed; the file may lack the last packets' });
    expect(isAlive(fake.pid())).to.equal(false);
  });

  it('reports a tcpdump that died during the experiment', async () => {
    const fake = fakeTcpdump('dies', `${LISTENING}\nsleep 0.1\necho "tcpdump: pcap_loop: The interface disappeared" >&2\nexit 1`);
    const session = await startCapture({ ports: [5000], file: path.join(dir.path, 'dies.pcap'), tcpdumpPath: fake.path });
    await waitUntilGone(fake.pid());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await session.stop()).to.deep.include({ ok: false, status: 'failed', reason: 'tcpdump stopped during the experiment (exit code 1): tcpdump: pcap_loop: The interface disappeared' });
  });

  it('keeps the last packets even when stopped right after them, and leaves no marker in the file', async function () {
    needsTool(this, 'tcpdump');
    const counts: number[] = [];
    for (let round = 0; round < 15; round++) {
      const port = await closedTcpPort();
      const file = path.join(dir.path, `quick-${round}.pcap`);
      const session = await startCapture({ ports: [port], file });
      await tcpClient(port, '127.0.0.1', () => undefined);
      const stopped = await session.stop();
      expect(stopped).to.deep.include({ ok: true, packetsCaptured: 2, flushConfirmed: true });
      counts.push((await readPcap(file)).records.length);
      expect(await session.stop(), 'a second stop() gives the same answer').to.deep.equal(stopped);
    }
    expect(counts).to.deep.equal(new Array(15).fill(2));
  });
});

describe('capture filter', () => {
  it('admits the ports both ways and the ICMP errors that quote them', () => {
    expect(buildCaptureFilter({ ports: [5001, 5000, 5001] })).to.equal(
      '((tcp or udp) and (port 5000 or port 5001)) or ' +
        '(icmp and icmp[icmptype] == icmp-unreach and (' +
        'icmp[((icmp[8] & 0xf) * 4) + 8:2] == 5000 or icmp[((icmp[8] & 0xf) * 4) + 10:2] == 5000 or ' +
        'icmp[((icmp[8] & 0xf) * 4) + 8:2] == 5001 or icmp[((icmp[8] & 0xf) * 4) + 10:2] == 5001)) or ' +
        '(icmp6 and icmp6[icmp6type] == icmp6-destinationunreach and (icmp6[48:2] == 5000 or icmp6[50:2] == 5000 or icmp6[48:2] == 5001 or icmp6[50:2] == 5001))',
    );
  });

  it('limits to the given hosts and refuses anything that is not an address', () => {
    expect(buildCaptureFilter({ ports: [80], hosts: ['127.0.0.1', '::1'] })).to.match(/^\(.*\) and \(host 127\.0\.0\.1 or host ::1\)$/);
    expect(() => buildCaptureFilter({ ports: [80], hosts: ['x or port 22'] })).to.throw('capture filter: host must be an IP address, got "x or port 22"');
  });
});
