import { expect } from 'chai';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { CaptureResult, Endpoint } from '../../harness/model/capture.js';
import type { ExperimentResult } from '../../harness/model/result.js';
import { HtmlReporter, renderHtmlReport } from '../../harness/report/html.js';
import { pageScript } from '../../harness/report/html/page-script.js';
import { launchChromium } from '../support/browser.js';
import { repoRoot } from '../support/paths.js';
import { needsTool } from '../support/tools.js';
import { makeProcess, makeRun, makeStep } from './fixtures.js';

// Program output that breaks out of naive HTML: each must end up as visible text, never as markup.
const payloads = [
  '<script>window.__pwned=1</script>',
  '</script><script>window.__pwned=2</script>',
  '<img src=x onerror="window.__pwned=3">',
  ']]>',
  '<!-- unterminated comment',
];
const hostileStdout = `${payloads.join('\n')}\nNUL\u0000 BEL\u0007 ESC\u001b[31mred\u001b[0m CR\rLF\n`;

function experiment(fields: Partial<ExperimentResult> & Pick<ExperimentResult, 'id' | 'status' | 'title' | 'tags'>): ExperimentResult {
  return {
    points: 2,
    score: fields.status === 'passed' ? 2 : 0,
    location: { file: `specs/${fields.tags[0]}/${fields.id}.yaml`, line: 1, column: 1 },
    startedAt: '2025-03-01T10:00:00.000Z',
    durationMs: 640,
    ports: { server: 40123 },
    hosts: { server: '127.0.0.1' },
    roles: {},
    steps: [],
    failures: [],
    ...fields,
  };
}

const tcpClient: Endpoint = { host: '127.0.0.1', port: 51000 };
const tcpServer: Endpoint = { host: '127.0.0.1', port: 40123 };
const udpClient: Endpoint = { host: '127.0.0.1', port: 52000 };
const udpServer: Endpoint = { host: '127.0.0.1', port: 40200 };

const refusedCapture: CaptureResult = {
  status: 'captured',
  pcapFile: 'captures/p1 tcp-refused.pcap',
  interface: 'lo',
  filter: 'tcp port 40123',
  endpointNames: { '127.0.0.1:51000': 'tcp-client', '127.0.0.1:40123': 'tcp-server' },
  summary: {
    linkType: 'LINKTYPE_LINUX_SLL2',
    packetCount: 2,
    packets: [
      { index: 1, timeMs: 0, source: tcpClient, destination: tcpServer, protocol: 'tcp', payloadLength: 0, tcp: { flags: ['SYN'], seq: 0, ack: 0, window: 65495 }, info: 'SYN seq=0 win=65495' },
      { index: 2, timeMs: 0.04, source: tcpServer, destination: tcpClient, protocol: 'tcp', payloadLength: 0, tcp: { flags: ['ACK', 'RST'], seq: 0, ack: 1, window: 0 }, info: 'RST, ACK seq=0 ack=1 win=0' },
    ],
    conversations: [{ protocol: 'tcp', a: tcpClient, b: tcpServer, packets: 2, bytes: 0, startMs: 0, durationMs: 0.04 }],
    events: [{ timeMs: 0.04, kind: 'refused', text: 'connection refused: the SYN to 127.0.0.1:40123 was answered by RST', packet: 2 }],
  },
};

function icmpUnreachable(index: number, timeMs: number) {
  return {
    index,
    timeMs,
    source: { host: '127.0.0.1' },
    destination: { host: '127.0.0.1' },
    protocol: 'icmp' as const,
    payloadLength: 0,
    icmp: { type: 3, code: 3, description: 'destination unreachable: port unreachable', quoted: { protocol: 'udp' as const, source: udpClient, destination: udpServer } },
    info: 'destination unreachable (port unreachable)',
  };
}

const unreachableCapture: CaptureResult = {
  status: 'captured',
  pcapFile: 'captures/p3-udp.pcap',
  // A name is data too: it must be escaped in the lane label, tooltips and tables.
  endpointNames: { '127.0.0.1:52000': 'udp-client <img src=x onerror="window.__pwned=3">' },
  summary: {
    linkType: 'LINKTYPE_LINUX_SLL2',
    packetCount: 4,
    packets: [
      { index: 1, timeMs: 0, source: udpClient, destination: udpServer, protocol: 'udp', payloadLength: 6, info: 'UDP len=6', payloadPreview: 'hello\\n' },
      icmpUnreachable(2, 0.05),
      { index: 3, timeMs: 1000, source: udpClient, destination: udpServer, protocol: 'udp', payloadLength: 6, info: 'UDP len=6 </script><script>window.__pwned=2</script>' },
      icmpUnreachable(4, 1000.06),
    ],
    conversations: [{ protocol: 'udp', a: udpClient, b: udpServer, packets: 2, bytes: 12, startMs: 0, durationMs: 1000 }],
    events: [{ timeMs: 0.05, kind: 'port-unreachable', text: 'port unreachable: nothing listens on UDP 127.0.0.1:40200 <img src=x onerror="window.__pwned=3">', packet: 2 }],
  },
};

const stdoutExpectation = {
  name: 'stdout.equals',
  ok: false,
  expected: 'HELLO\nWORLD\nBYE',
  actual: 'HELLO\nworld\nBYE',
  message: 'stdout differs <script>window.__pwned=1</script>',
  location: { file: 'specs/task1/tcp-upper.yaml', line: 14, column: 9 },
};

const longOutput = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

const experiments: ExperimentResult[] = [
  experiment({
    id: 'p1-tcp-refused',
    title: 'Problem 1: TCP client started before its server',
    tags: ['task1', 'tcp', 'problem'],
    status: 'passed',
    explain: 'The SYN finds **no listener**, so the kernel answers with `RST`.\n\n<script>window.__pwned=1</script>\n\nDo not [click](javascript:window.__pwned=4) here.',
    roles: { 'tcp-client': ['python3', 'TCPClient.py'] },
    steps: [
      makeStep({
        label: 'run tcp-client 127.0.0.1 40123',
        stdin: 'hello\n',
        expectations: [{ name: 'error', ok: true, expected: 'ECONNREFUSED', actual: 'ECONNREFUSED', message: '' }],
        process: makeProcess({ exitCode: 1, stderr: 'ConnectionRefusedError: [Errno 111] Connection refused\n', error: { code: 'ECONNREFUSED', message: 'ConnectionRefusedError: [Errno 111] Connection refused' } }),
      }),
    ],
    capture: refusedCapture,
  }),
  experiment({
    id: 'tcp-upper',
    title: 'Server upper-cases the line',
    tags: ['task1', 'tcp'],
    status: 'failed',
    steps: [
      makeStep({ index: 0, kind: 'start', label: 'start tcp-server 40123', process: makeProcess({ command: ['python3', 'TCPServer.py', "it's 40123"], exitCode: null, signal: 'SIGTERM', killed: true, stdout: longOutput, stdoutBytes: 4096, stdoutTruncated: true }) }),
      makeStep({
        index: 1,
        status: 'failed',
        label: 'run tcp-client <b>127.0.0.1</b>',
        notes: ['note with <i>markup</i>'],
        expectations: [stdoutExpectation, { name: 'exit', ok: true, expected: '0', actual: '0', message: '' }],
        process: makeProcess({ stdout: hostileStdout, stderr: payloads[2]! }),
      }),
    ],
    failures: [stdoutExpectation],
  }),
  experiment({
    id: 'p3-udp-unreachable',
    title: 'Problem 3: UDP client sends to a closed port',
    tags: ['task2', 'udp', 'problem'],
    status: 'failed',
    failures: [{ name: 'experiment.timeout', ok: false, expected: 'within 60s', actual: 'still running after 60s', message: 'the experiment ran out of time' }],
    capture: unreachableCapture,
  }),
  experiment({
    id: 'udp-ping',
    title: 'UDP pinger reports loss',
    tags: ['task2', 'udp'],
    status: 'error',
    error: { code: 'ENOENT', message: 'udp-client: program not found <script>window.__pwned=1</script>' },
    steps: [makeStep({ status: 'error', process: makeProcess({ pid: null, exitCode: null, spawnError: { code: 'ENOENT', message: 'spawn udp-client ENOENT' } }) })],
  }),
  experiment({
    id: 'smtp-send',
    title: 'Send one mail',
    tags: ['task3'],
    status: 'skipped',
    skipReason: 'needs --network',
    capture: { status: 'skipped', reason: 'tcpdump not found: install it (apt-get install tcpdump)', pcapFile: 'javascript:window.__pwned=5', endpointNames: {} },
  }),
  experiment({ id: 'proxy-cache', title: 'Proxy caches a page', tags: [], status: 'interrupted' }),
];

const run = { ...makeRun(experiments), status: 'failed' as const, subject: 'submissions/alice' };

/** Start tags of the document (escaped text has `&lt;` and never matches), with their attributes. */
function tags(document: string): Array<{ name: string; attributes: Array<[string, string]> }> {
  return [...document.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g)].map((match) => ({
    name: match[1]!.toLowerCase(),
    attributes: [...match[2]!.matchAll(/([^\s=>/]+)(?:="([^"]*)")?/g)].map((a) => [a[1]!.toLowerCase(), a[2] ?? ''] as [string, string]),
  }));
}

describe('HtmlReporter', () => {
  let outputDir: string;
  let document: string;

  before(async () => {
    outputDir = await mkdtemp(path.join(os.tmpdir(), 'socklab-html-'));
    await new HtmlReporter({ outputDir }).onRunEnd(run);
    document = await readFile(path.join(outputDir, 'index.html'), 'utf8');
  });

  after(async () => {
    await rm(outputDir, { recursive: true, force: true });
  });

  it('writes the same document renderHtmlReport returns', () => {
    expect(document).to.equal(renderHtmlReport(run));
    expect(document).to.match(/^<!doctype html>\n<html lang="en">/);
  });

  it('loads nothing from elsewhere: no src attributes, only relative or in-page links, no event handlers', () => {
    const all = tags(document);
    expect(all.length).to.be.greaterThan(100);
    expect(all.map((tag) => tag.name)).to.not.include.members(['img', 'iframe', 'object', 'embed', 'link', 'base', 'audio', 'video']);
    const attributes = all.flatMap((tag) => tag.attributes);
    expect(attributes.filter(([name]) => name === 'src' || name === 'srcset' || name === 'action')).to.deep.equal([]);
    expect(attributes.filter(([name]) => name.startsWith('on'))).to.deep.equal([]);
    const hrefs = attributes.filter(([name]) => name === 'href').map(([, value]) => value);
    expect(hrefs).to.deep.equal(['captures/p1%20tcp-refused.pcap', 'captures/p3-udp.pcap']);
    expect(document).not.to.match(/@import|url\(/);
  });

  it('has exactly one script, ours, and a policy that allows only it', () => {
    expect(document.match(/<script/gi)).to.have.length(1);
    expect(document.match(/<\/script/gi)).to.have.length(1);
    expect(document).to.include(`<script>${pageScript}</script>`);
    expect(document).to.match(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[^"]+; script-src &#39;sha256-/);
  });

  it('shows every payload as escaped text only', () => {
    for (const payload of payloads) expect(document, payload).not.to.include(payload);
    expect(document).to.include('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(document).to.include('&lt;/script&gt;&lt;script&gt;window.__pwned=2&lt;/script&gt;');
    expect(document).to.include('&lt;img src=x onerror=&quot;window.__pwned=3&quot;&gt;');
    expect(document).to.include(']]&gt;');
    expect(document).to.include('&lt;!-- unterminated comment');
    expect(document).to.include('run tcp-client &lt;b&gt;127.0.0.1&lt;/b&gt;');
    expect(document).to.include('<p>Do not click here.</p>'); // the link text stays, the javascript: link goes
    expect(document).not.to.include('javascript:window.__pwned=4');
    expect(document).to.include('<code>javascript:window.__pwned=5</code>'); // the bad pcap path, as text
  });

  it('shows control characters as visible escapes and leaves none in the file', () => {
    expect(document).not.to.match(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    expect(document).to.include('NUL<span class="ctl">\\x00</span> BEL<span class="ctl">\\x07</span> ESC<span class="ctl">\\x1b</span>[31mred');
    expect(document).to.include('CR<span class="ctl">\\x0d</span>LF');
  });

  it('groups experiments by their first tag, failed and harness errors open', () => {
    const groups = [...document.matchAll(/<h2 id="group-([^"]+)">/g)].map((match) => match[1]);
    expect(groups).to.deep.equal(['task1', 'task2', 'task3', 'untagged']);
    const details = [...document.matchAll(/<details class="experiment status-(\w+)" id="exp-([^"]+)"[^>]*?( open)?>/g)];
    expect(details.map((match) => [match[2], match[1], Boolean(match[3])])).to.deep.equal([
      ['p1-tcp-refused', 'passed', false],
      ['tcp-upper', 'failed', true],
      ['p3-udp-unreachable', 'failed', true],
      ['udp-ping', 'error', true],
      ['smtp-send', 'skipped', false],
      ['proxy-cache', 'interrupted', false],
    ]);
  });

  it('summarises the run: counts, score, subject, start and duration', () => {
    const counts = [...document.matchAll(/<div class="count status-(\w+)"><span class="n">(\d+)<\/span>/g)].map((m) => `${m[1]}=${m[2]}`);
    expect(counts).to.deep.equal(['passed=1', 'failed=2', 'error=1', 'skipped=1', 'interrupted=1']);
    expect(document).to.include('<span class="n">2 / 12</span> points');
    expect(document).to.include('<code>submissions/alice</code>');
    expect(document).to.include('2025-03-01 10:00:00 UTC');
    expect(document).to.include('<dt>duration</dt><dd>4.6 s</dd>');
  });

  it('says where the limits were held and what the platform lacked, when the run recorded it', () => {
    const environment = { ...run.environment, limits: 'cgroup v2 (/sys/fs/cgroup/socklab): a cgroup per program, with pids and memory limits', missing: ['no stillness detection (no /proc): run steps wait out their timeouts', 'readiness by lsof (no /proc): …'] };
    const page = renderHtmlReport({ ...run, environment });
    expect(page).to.include('<dt>limits</dt><dd>cgroup v2 (/sys/fs/cgroup/socklab): a cgroup per program, with pids and memory limits</dd>');
    expect(page).to.include('<dt>not on this platform</dt><dd>no stillness detection (no /proc): run steps wait out their timeouts; readiness by lsof (no /proc): …</dd>');
    expect(document).to.not.include('<dt>not on this platform</dt>');
  });

  it('marks harness errors as not the program\'s fault, and shows skip reasons', () => {
    expect(document).to.include("<strong>Harness error — not the program's fault.</strong>\n<code>ENOENT</code>: udp-client: program not found");
    expect(document).to.include('<p class="skip-reason">Skipped: needs --network</p>');
    expect(document).to.include('<strong>capture skipped:</strong> tcpdump not found: install it (apt-get install tcpdump)');
  });

  it('shows commands shell-quoted, long or truncated output collapsed, and a line diff for a failed expectation', () => {
    expect(document).to.include(`<code class="command">python3 TCPServer.py &#39;it&#39;\\&#39;&#39;s 40123&#39;</code>`);
    expect(document).to.match(/<details class="output"><summary><span class="stream">stdout<\/span> <span class="muted">30 lines, 4096 bytes, truncated<\/span><\/summary><p class="truncated">/);
    expect(document).to.include('<span class="diff-same">  HELLO</span><span class="diff-removed">- WORLD</span><span class="diff-added">+ world</span><span class="diff-same">  BYE</span>');
    expect(document).to.include('<caption>Experiment-level checks</caption>');
  });

  it('renders the capture: events in words, conversations, and a ladder per capture', () => {
    expect(document).to.include('connection refused: the SYN to 127.0.0.1:40123 was answered by RST');
    expect(document.match(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="ladder"/g)).to.have.length(2);
    expect(document.match(/<table class="conversations">/g)).to.have.length(2);
  });
});

describe('launching the browser for the report tests', () => {
  it('fails, saying what to install, when the browser is missing', async () => {
    const error = await launchChromium('/nonexistent/chromium').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(String(error)).to.include('install chromium (apt-get install chromium)');
  });
});

describe('HTML report in headless Chromium', function () {
  this.timeout(30_000);
  let browser: Browser;
  let outputDir: string;
  let fileUrl: string;

  before(async function () {
    needsTool(this, 'chromium');
    browser = await launchChromium();
    outputDir = await mkdtemp(path.join(os.tmpdir(), 'socklab-html-browser-'));
    await new HtmlReporter({ outputDir }).onRunEnd(run);
    fileUrl = pathToFileURL(path.join(outputDir, 'index.html')).href;
  });

  after(async () => {
    await browser?.close();
    if (outputDir) await rm(outputDir, { recursive: true, force: true });
  });

  /** Opens the report, recording console errors, page errors and every request the page makes. */
  async function openReport(width: number): Promise<{ page: Page; problems: string[]; requests: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(fileUrl, { waitUntil: 'load' });
    return { page, problems, requests };
  }

  const visibleIds = (page: Page) =>
    page.locator('details.experiment:visible').evaluateAll((elements) => elements.map((element) => (element as unknown as { id: string }).id));

  it('runs no injected code, logs no errors and requests nothing but the file', async () => {
    const { page, problems, requests } = await openReport(1280);
    expect(await page.evaluate('typeof window.__pwned')).to.equal('undefined');
    expect(problems).to.deep.equal([]);
    expect(requests).to.deep.equal([fileUrl]);
    expect(await page.locator('#shown-count').textContent()).to.equal('Showing 6 of 6 experiments');
    await page.close();
  });

  it('filters by status and by text', async () => {
    const { page, problems } = await openReport(1280);
    await page.getByRole('checkbox', { name: /passed/ }).uncheck();
    expect(await visibleIds(page)).to.deep.equal(['exp-tcp-upper', 'exp-p3-udp-unreachable', 'exp-udp-ping', 'exp-smtp-send', 'exp-proxy-cache']);
    await page.getByRole('checkbox', { name: /passed/ }).check();
    await page.getByRole('searchbox').fill('UNREACHABLE');
    expect(await visibleIds(page)).to.deep.equal(['exp-p3-udp-unreachable']);
    expect(await page.locator('section.group:visible h2').allTextContents()).to.have.length(1);
    await page.getByRole('searchbox').fill('task1 problem');
    expect(await visibleIds(page)).to.deep.equal(['exp-p1-tcp-refused']);
    await page.getByRole('searchbox').fill('no such experiment');
    expect(await page.locator('#nothing-shown').isVisible()).to.equal(true);
    expect(problems).to.deep.equal([]);
    await page.close();
  });

  it('draws the ladders and fits a narrow window without sideways scrolling', async () => {
    const { page } = await openReport(1280);
    expect(await page.locator('#exp-p1-tcp-refused svg.ladder g.packet').count()).to.equal(2);
    expect(await page.locator('#exp-p1-tcp-refused svg.ladder g.packet.rst').count()).to.equal(1);
    expect(await page.locator('#exp-p3-udp-unreachable svg.ladder g.packet.icmp-error').count()).to.equal(2);
    expect(await page.locator('#exp-p3-udp-unreachable svg.ladder').isVisible()).to.equal(true);
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).to.be.at.most(390);
    await page.close();
  });

  it('looks right (screenshot saved to reports/html-report-screenshot.png)', async () => {
    const { page } = await openReport(1280);
    await page.locator('#exp-p1-tcp-refused > summary').click();
    expect(await page.locator('#exp-p1-tcp-refused').getAttribute('open')).to.equal('');
    const screenshot = path.join(outputDir, 'html-report-screenshot.png');
    const image = await page.screenshot({ path: screenshot, fullPage: true });
    expect(image.subarray(1, 4).toString()).to.equal('PNG');
    await mkdir(path.join(repoRoot, 'reports'), { recursive: true });
    await copyFile(screenshot, path.join(repoRoot, 'reports', 'html-report-screenshot.png'));
    await page.close();
  });
});
