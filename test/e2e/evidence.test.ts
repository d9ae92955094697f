// `socklab evidence`, the hand-in pack, end to end: the Task 1 problems run with packet capture, their
// terminal transcripts and packet lists as HTML and PNG (checked down to the PNG header and its size),
// and the packet list compared with tshark's on captures of real runs: TCP uppercase, UDP to a closed
// port (problem 2), HTTP and SMTP.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readPacketList } from '../../harness/capture/packet-list/build-packet-list.js';
import type { PacketList } from '../../harness/model/packet-list.js';
import type { RunResult } from '../../harness/model/result.js';
import { escapeHtml } from '../../harness/report/html/safe-html.js';
import { formatCommand } from '../../harness/report/result-text.js';
import { repoRoot } from '../support/paths.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';
import { needsTool } from '../support/tools.js';

const PROBLEMS = ['p1-tcp-client-before-server', 'p2-udp-client-before-server', 'p3-different-ports'];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Manifest {
  width: number;
  experiments: Array<{
    id: string;
    terminals: { html: string; png?: string; width?: number; height?: number };
    packets?: { html: string; png?: string; width?: number; height?: number; pcap: string; tshark: string; rows: number };
    packetsMissing?: string;
  }>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

describe('socklab evidence: the hand-in pack of the Task 1 problems', function () {
  this.timeout(300_000);
  const temp = new TempDir();
  const pack = path.join(temp.path, 'pack');
  let cli: CliRun;
  let manifest: Manifest;
  let results: RunResult;

  before(async function () {
    needsTool(this, 'tcpdump', 'chromium');
    cli = await runCli(['evidence', path.join(repoRoot, 'specs', 'task1', 'problems.yaml'), '-o', pack, '-j', '2'], { cwd: temp.path, timeoutMs: 240_000 });
    manifest = readJson<Manifest>(path.join(pack, 'evidence.json'));
    results = readJson<RunResult>(path.join(pack, 'run', 'results.json'));
  });

  after(() => temp.remove());

  it('runs the problems with packet capture and says where the pack is', () => {
    expect(cli.exitCode, cli.stderr).to.equal(0);
    expect(cli.stdout).to.contain('3 passed, 0 failed').and.contain('socklab: hand-in pack in pack/index.html: 3 experiments, 6 of 6 pictures');
    expect(results.experiments.map((experiment) => [experiment.id, experiment.capture?.status])).to.deep.equal(PROBLEMS.map((id) => [id, 'captured']));
  });

  it('writes per experiment its transcript and packet list as HTML and PNG and its pcap, and an index of them', () => {
    const files = readdirSync(pack).sort();
    for (const id of PROBLEMS) {
      for (const suffix of ['-terminals.html', '-terminals.png', '-packets.html', '-packets.png', '.pcap']) expect(files).to.include(`${id}${suffix}`);
    }
    expect(files).to.include.members(['index.html', 'evidence.json', 'run']);
    const index = readFileSync(path.join(pack, 'index.html'), 'utf8');
    for (const id of PROBLEMS) {
      for (const file of [`${id}-terminals.png`, `${id}-terminals.html`, `${id}-packets.png`, `${id}-packets.html`, `${id}.pcap`]) expect(index).to.contain(`href="${file}"`);
    }
  });

  it('pictures are PNGs 1280 pixels wide and as tall as their page, as evidence.json says', () => {
    expect(manifest.width).to.equal(1280);
    for (const entry of manifest.experiments) {
      for (const page of [entry.terminals, entry.packets!]) {
        const image = readFileSync(path.join(pack, page.png!));
        expect(image.length, page.png).to.be.greaterThan(5000);
        expect(image.subarray(0, 8).equals(PNG_SIGNATURE), page.png).to.equal(true);
        expect(image.subarray(12, 16).toString('latin1')).to.equal('IHDR');
        const [width, height] = [image.readUInt32BE(16), image.readUInt32BE(20)];
        expect({ width, height }, page.png).to.deep.equal({ width: page.width, height: page.height });
        expect(width).to.equal(1280);
        expect(height, page.png).to.be.within(200, 20_000);
      }
    }
  });

  it('the transcripts show each command as it ran, what was typed on stdin, and what each program printed', () => {
    for (const experiment of results.experiments) {
      const page = readFileSync(path.join(pack, `${experiment.id}-terminals.html`), 'utf8');
      const programs = experiment.steps.flatMap((step) => (step.process ? [{ step, process: step.process }] : []));
      expect(programs.length, experiment.id).to.be.greaterThan(1);
      for (const { step, process } of programs) {
        expect(page, experiment.id).to.contain(escapeHtml(formatCommand(process.command)));
        for (const line of `${process.stdout}${process.stderr}`.split('\n').filter(Boolean)) expect(page, `${experiment.id} step ${step.index + 1}`).to.contain(escapeHtml(line));
      }
      for (const step of experiment.steps.filter((candidate) => candidate.stdin)) expect(page).to.contain(`<span class="stdin">${escapeHtml(step.stdin!)}</span>`);
    }
    const p1 = readFileSync(path.join(pack, 'p1-tcp-client-before-server-terminals.html'), 'utf8');
    expect(p1).to.contain('student@server').and.contain('student@client').and.contain('ECONNREFUSED').and.contain('HELLO, WORLD &amp; 42!');
    expect(p1.indexOf('Terminal 1 — student@server')).to.be.lessThan(p1.indexOf('Terminal 2 — student@client'));
  });

  it("the packet lists are the captures' own, with their ladders", () => {
    for (const entry of manifest.experiments) {
      const page = readFileSync(path.join(pack, entry.packets!.html), 'utf8');
      expect(page).to.contain('<th>Protocol</th>').and.contain('<svg').and.contain(`<code>tshark -r ${entry.id}.pcap</code>`);
      expect(statSync(path.join(pack, `${entry.id}.pcap`)).size).to.equal(statSync(path.join(pack, 'run', `${entry.id}.pcap`)).size);
    }
    const p2 = readFileSync(path.join(pack, 'p2-udp-client-before-server-packets.html'), 'utf8');
    expect(p2.match(/<td class="info">Destination unreachable \(Port unreachable\)<\/td>/g)).to.have.length.at.least(2);
  });

  it('agrees with tshark on these captures', function () {
    needsTool(this, 'tshark');
    return Promise.all(PROBLEMS.map((id) => expectTsharkAgrees(path.join(pack, `${id}.pcap`))));
  });

  describe('--from a finished run', () => {
    it('still gives transcripts when nothing was captured, and says the packet list needs tcpdump', async () => {
      const folder = path.join(temp.path, 'no-capture');
      mkdirSync(folder);
      const skipped = { ...results, experiments: results.experiments.map((experiment) => ({ ...experiment, capture: { status: 'skipped' as const, reason: 'tcpdump not found: install it (apt-get install tcpdump)', endpointNames: {} } })) };
      writeFileSync(path.join(folder, 'results.json'), JSON.stringify(skipped));
      const out = path.join(temp.path, 'pack-without-tcpdump');
      const run = await runCli(['evidence', '--from', folder, 'p1-tcp-client-before-server', '-o', out], { cwd: temp.path });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.stdout).to.contain('1 experiment, 1 of 1 pictures');
      expect(run.stderr).to.contain('p1-tcp-client-before-server: the packet list needs tcpdump: tcpdump not found: install it (apt-get install tcpdump)');
      expect(readdirSync(out).sort()).to.deep.equal(['evidence.json', 'index.html', 'p1-tcp-client-before-server-terminals.html', 'p1-tcp-client-before-server-terminals.png']);
      expect(readFileSync(path.join(out, 'index.html'), 'utf8')).to.contain('the packet list needs tcpdump: tcpdump not found: install it (apt-get install tcpdump)');
    });

    it('copies the pcaps of a run written by socklab run --capture', async () => {
      const folder = path.join(temp.path, 'copied-run');
      mkdirSync(folder);
      for (const file of ['results.json', 'p2-udp-client-before-server.pcap']) copyFileSync(path.join(pack, 'run', file), path.join(folder, file));
      const out = path.join(temp.path, 'pack-from');
      const run = await runCli(['evidence', '--from', folder, '--grep', 'UDP client', '-o', out], { cwd: temp.path });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(existsSync(path.join(out, 'p2-udp-client-before-server-packets.png'))).to.equal(true);
      expect(existsSync(path.join(out, 'p1-tcp-client-before-server-terminals.html'))).to.equal(false);
    });

    it('--help shows each default once, and no path of this machine', async () => {
      const help = await runCli(['evidence', '--help']);
      expect(help.exitCode).to.equal(0);
      expect(help.stdout).to.contain('--from <dir>').and.contain('(default: "reports/evidence")').and.not.contain(repoRoot);
      for (const entry of help.stdout.split(/\n(?= {2}-)/)) expect(entry.match(/default:/g) ?? [], entry).to.have.length.at.most(1);
    });

    it('is a usage error without a results.json, or with options that choose how experiments run', async () => {
      const empty = await runCli(['evidence', '--from', temp.path, '-o', path.join(temp.path, 'x')], { cwd: temp.path });
      expect(empty.exitCode).to.equal(2);
      expect(empty.stderr).to.equal(`socklab: no results.json in ${temp.path}: give a folder written by socklab run (its --out), or leave out --from to run the experiments\n`);
      const mixed = await runCli(['evidence', '--from', path.join(pack, 'run'), '--role', 'tcp-server=python3 s.py'], { cwd: temp.path });
      expect(mixed.exitCode).to.equal(2);
      expect(mixed.stderr).to.equal('socklab: --role: these choose how experiments run, and --from makes the pack from a run that is finished\n');
    });
  });
});

describe('the packet list agrees with tshark on captures of real runs', function () {
  this.timeout(300_000);
  const temp = new TempDir();
  const out = path.join(temp.path, 'reports');
  const experiments = ['tcp-lowercase', 'udp-lowercase', 'p2-udp-client-before-server', 'web-hello', 'web-404', 'web-binary', 'mail-happy-path'];

  before(async function () {
    needsTool(this, 'tcpdump', 'tshark');
    const run = await runCli(['run', ...experiments, '--capture', '-o', out, '-r', 'json', '-j', '2'], { cwd: repoRoot, timeoutMs: 240_000 });
    expect(run.exitCode, run.stdout + run.stderr).to.equal(0);
  });

  after(() => temp.remove());

  for (const id of experiments) {
    it(`${id}: every packet's number, time, source, destination, protocol, length and info`, () => expectTsharkAgrees(path.join(out, `${id}.pcap`)));
  }
});

/** Expert flags of Wireshark's TCP analysis that the packet list does not tell: rows with one of these are compared without their Info. */
const UNTOLD_EXPERT_FLAGS = /\[TCP (Window Full|ZeroWindowProbeAck|Keep-Alive ACK)\]/;

async function expectTsharkAgrees(pcap: string): Promise<void> {
  const list = await readPacketList(pcap);
  const theirs = tsharkRows(pcap, list);
  expect(list.rows.length, pcap).to.equal(theirs.length).and.be.at.least(2);
  const columns = (row: string[]) => row.slice(0, 6).join(' | ');
  expect(list.rows.map((row) => columns([String(row.number), row.time, row.source, row.destination, row.protocol, String(row.length)])), pcap).to.deep.equal(theirs.map(columns));
  const info = (rows: string[][]) => rows.map((row) => (UNTOLD_EXPERT_FLAGS.test(row[6]) ? '(an expert flag not told)' : row[6]));
  expect(info(list.rows.map((row) => ['', '', '', '', '', '', row.info])), pcap).to.deep.equal(info(theirs));
}

/**
 * tshark's columns for the file, with the pack's Decode As rules. A port that Wireshark gives to some
 * protocol by its number alone (`tshark -G decodes`: 44818 is EtherNet/IP) can turn up as a random port
 * of a run; that protocol is switched off, as the packet list never decodes it.
 */
function tsharkRows(pcap: string, list: PacketList): string[][] {
  const ports = new Set(list.rows.flatMap((row) => [...row.info.matchAll(/\b(\d+) → (\d+)\b/g)].flatMap((match) => [Number(match[1]), Number(match[2])])));
  const disabled = new Set(
    registeredPorts()
      .filter(({ port, protocol }) => ports.has(port) && !['http', 'smtp', 'tcp', 'udp'].includes(protocol))
      .map(({ protocol }) => protocol),
  );
  const args = [
    '-r', pcap,
    ...list.decodeAs.flatMap((rule) => ['-d', `${rule.layer}==${rule.port},${rule.protocol}`]),
    ...[...disabled].flatMap((protocol) => ['--disable-protocol', protocol]),
    '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=f',
    ...['frame.number', '_ws.col.Time', '_ws.col.Source', '_ws.col.Destination', '_ws.col.Protocol', 'frame.len', '_ws.col.Info'].flatMap((field) => ['-e', field]),
  ];
  const text = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return text.split('\n').filter(Boolean).map((line) => line.split('\t'));
}

let portTable: Array<{ port: number; protocol: string }> | undefined;
function registeredPorts(): Array<{ port: number; protocol: string }> {
  portTable ??= execFileSync('tshark', ['-G', 'decodes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([table]) => table === 'tcp.port' || table === 'udp.port')
    .map(([, port, protocol]) => ({ port: Number(port), protocol }));
  return portTable;
}
