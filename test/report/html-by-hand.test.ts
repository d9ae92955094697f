// "Do it by hand" in the HTML report: each experiment's commands in its terminals (server first), the
// real argv with the run's ports and hosts, stdin as `printf '…' |`, and a copy button that copies
// the command in a real browser.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import type { ExperimentResult } from '../../harness/model/result.js';
import { handSteps } from '../../harness/report/hand/hand-steps.js';
import { printfCommand } from '../../harness/report/hand/shell-text.js';
import { renderHtmlReport } from '../../harness/report/html.js';
import { launchChromium } from '../support/browser.js';
import { experiment, processResult, runningUntilStopped, step } from '../support/result-builder.js';
import { needsTool } from '../support/tools.js';
import { makeRun } from './fixtures.js';

/** Problem 1 as it ran: the client refused, the server started, the client again. */
const problem1: ExperimentResult = experiment('p1-tcp-client-before-server', [
  step(0, {
    role: 'tcp-client',
    label: 'client first, nothing listening yet',
    stdin: 'hello\n',
    process: processResult({ command: ['python3', 'TCPClient.py', '127.0.0.1', '40123'], exitCode: 1, stderr: 'ConnectionRefusedError: [Errno 111] Connection refused\n' }),
  }),
  step(1, { kind: 'start', role: 'tcp-server', name: 'tcp-server', label: 'start tcp-server 40123', process: runningUntilStopped(['python3', 'TCPServer.py', '40123']) }),
  step(2, { role: 'tcp-client', label: 'run tcp-client 127.0.0.1 40123', stdin: "it's 100% done\\n\n", process: processResult({ command: ['python3', 'TCPClient.py', '127.0.0.1', '40123'], stdout: "From Server: IT'S 100% DONE\\N\n" }) }),
]);

/** Socklab's own parts: an HTTP probe against a started web server, and a sleep. */
const web: ExperimentResult = experiment(
  'web-hello',
  [
    step(0, { kind: 'start', role: 'web-server', name: 'web-server', label: 'start web-server 40200', process: runningUntilStopped(['python3', 'WebServer.py', '40200'], '') }),
    step(1, { kind: 'sleep', label: 'sleep 200ms', durationMs: 200 }),
    step(2, {
      kind: 'http',
      label: 'http GET http://127.0.0.1:40200/../etc/passwd',
      details: {
        kind: 'http',
        request: { method: 'GET', url: 'http://127.0.0.1:40200/../etc/passwd', path: '/../etc/passwd', headers: {}, bodyBytes: 0 },
        connectedTo: { host: '127.0.0.1', port: 40200 },
        exchanges: [],
        wallMs: 3,
      },
    }),
  ],
  { tags: ['task2'] },
);

describe('Do it by hand', () => {
  it('writes stdin as a printf that gives back the same bytes', () => {
    expect(printfCommand("it's 100% done\\n\n")).to.equal("printf 'it'\\''s 100%% done\\\\n\\n'");
    expect(printfCommand('tab\tbell\u0007')).to.equal("printf 'tab\\tbell\\007'");
  });

  it('puts each role in its terminal, servers first, numbered in the order the steps ran', () => {
    const { terminals, order } = handSteps(problem1);
    expect(terminals.map((terminal) => [terminal.number, terminal.host, terminal.title, terminal.entries.map((entry) => entry.step)])).to.deep.equal([
      [1, 'server', 'tcp-server', [2]],
      [2, 'client', 'tcp-client', [1, 3]],
    ]);
    expect(order.map((item) => [item.step, item.terminal?.number, item.entry.command])).to.deep.equal([
      [1, 2, "printf 'hello\\n' | python3 TCPClient.py 127.0.0.1 40123"],
      [2, 1, 'python3 TCPServer.py 40123'],
      [3, 2, "printf 'it'\\''s 100%% done\\\\n\\n' | python3 TCPClient.py 127.0.0.1 40123"],
    ]);
    expect(terminals[1].entries[0].ending).to.equal('exit code 1');
    expect(terminals[0].entries[0].ending).to.equal('still running at the end: stopped by socklab (SIGTERM)');
  });

  it('uses a terminal again once the step that ended its program is over, however long things took', () => {
    const client = ['python3', 'UDPClient.py', '127.0.0.1', '40123'];
    const waitedOut = processResult({ command: client, exitCode: null, signal: 'SIGTERM', timedOut: true, killed: true, stillRunning: true });
    const problem2 = experiment('p2-udp-client-before-server', [
      step(0, { role: 'udp-client', stdin: 'hello\n', process: waitedOut, startedAtMs: 0, durationMs: 3000 }),
      step(1, { kind: 'start', role: 'udp-client', name: 'waiting-client', stdin: 'lost\n', startedAtMs: 2990 }),
      step(2, { kind: 'start', role: 'udp-server', name: 'udp-server', process: runningUntilStopped(['python3', 'UDPServer.py', '40123']) }),
      step(3, { kind: 'wait', name: 'waiting-client', label: 'wait for waiting-client to exit', process: waitedOut, startedAtMs: 3500, durationMs: 1000 }),
      step(4, { role: 'udp-client', stdin: 'hello\n', process: processResult({ command: client, stdout: 'HELLO\n' }), startedAtMs: 4400 }),
    ]);
    const { terminals } = handSteps(problem2);
    expect(terminals.map((terminal) => [terminal.title, terminal.entries.map((entry) => entry.step)])).to.deep.equal([
      ['udp-server', [3]],
      ['udp-client', [1, 2, 4, 5]],
    ]);
    expect(terminals[1].entries[1].ending).to.equal('still waiting after 50 ms: stopped by socklab (SIGTERM) as Ctrl-C would at step 4');
    expect(terminals[1].entries[2].note).to.equal('wait 1.0 s, then press Ctrl-C');
  });

  it("gives socklab's own parts the usual tool that does the same, said to be an equivalent", () => {
    const { terminals, order } = handSteps(web);
    expect(terminals.map((terminal) => terminal.title)).to.deep.equal(['web-server', "socklab's http client"]);
    const probe = terminals[1].entries[0];
    expect(probe.command).to.equal("curl -i --path-as-is http://127.0.0.1:40200/../etc/passwd");
    expect(probe.equivalent).to.equal("socklab's HTTP client sent this request; curl sends the same");
    expect(order[1]).to.deep.include({ step: 2, terminal: undefined });
    expect(order[1].entry.note).to.equal('wait 200 ms');
  });

  it('shows the commands in the report, escaped, each with a copy button the script reveals', () => {
    const page = renderHtmlReport(makeRun([problem1, web]));
    expect(page).to.include('<h3>Do it by hand</h3>');
    expect(page).to.include('<code class="command">printf &#39;hello\\n&#39; | python3 TCPClient.py 127.0.0.1 40123</code><button type="button" class="copy" hidden>Copy</button>');
    expect(page).to.include('<code class="command">python3 TCPServer.py 40123</code>');
    expect(page).to.include('Open 2 terminals: 1 (server: tcp-server), 2 (client: tcp-client).');
    expect(page).to.include('Between them: step 2: wait 200 ms.');
  });

  describe('in headless Chromium', function () {
    this.timeout(60_000);
    let browser: Browser;
    let folder: string;

    before(async function () {
      needsTool(this, 'chromium');
      browser = await launchChromium();
      folder = await mkdtemp(path.join(os.tmpdir(), 'socklab-by-hand-'));
      await writeFile(path.join(folder, 'index.html'), renderHtmlReport(makeRun([problem1])));
    });

    after(async () => {
      await browser?.close();
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    it('copies the exact command when its button is clicked', async () => {
      const context = await browser.newContext();
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(pathToFileURL(path.join(folder, 'index.html')).href);
      await page.locator('#exp-p1-tcp-client-before-server > summary').click();
      const button = page.locator('#exp-p1-tcp-client-before-server .hand-terminal').nth(1).locator('button.copy').last();
      await button.click();
      await page.waitForFunction("Array.from(document.querySelectorAll('button.copy')).some((button) => button.textContent === 'Copied')");
      expect(await page.evaluate('navigator.clipboard.readText()')).to.equal("printf 'it'\\''s 100%% done\\\\n\\n' | python3 TCPClient.py 127.0.0.1 40123");
      expect(errors).to.deep.equal([]);
      await context.close();
    });
  });
});
