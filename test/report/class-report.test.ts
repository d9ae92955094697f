// class.html: escaping, the links into each student's report, "not handed in" cells, and in headless
// Chromium the layout at phone and laptop widths (no sideways page scroll, name and total in view).
import { expect } from 'chai';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { buildGradebook, type GradedStudent } from '../../harness/grade/gradebook.js';
import { renderClassReport } from '../../harness/grade/class-report.js';
import type { ExperimentResult } from '../../harness/model/result.js';
import { launchChromium } from '../support/browser.js';
import { gradedExperiment as graded, gradedRun, task1Programs } from '../support/class-results.js';
import { repoRoot } from '../support/paths.js';
import { needsTool } from '../support/tools.js';

const tcp = ['tcp-server', 'tcp-client'];
const hostileName = '<script>window.__pwned=1</script>';

/** A class of `size` students: 18 Task 1 and 8 Task 2 experiments, one in three without Task 2. */
function classOf(size: number): GradedStudent[] {
  return Array.from({ length: size }, (_, index) => {
    const name = index === 0 ? hostileName : `student-with-a-rather-long-folder-name-${String(index).padStart(2, '0')}`;
    const withWeb = index % 3 !== 1;
    const experiments: ExperimentResult[] = [
      ...Array.from({ length: 18 }, (_, n) =>
        graded({ id: `task1-experiment-${n + 1}`, task: 'task1', roles: tcp, status: (n + index) % 5 === 0 ? 'failed' : 'passed', feedback: (n + index) % 5 === 0 ? [{ code: 'python2', message: 'TCPServer.py looks like Python 2' }] : undefined }),
      ),
      ...Array.from({ length: 8 }, (_, n) => graded({ id: `web-${n + 1}`, task: 'task2', roles: ['web-server'], status: withWeb && n !== 2 ? 'passed' : 'failed' })),
    ];
    const programs = withWeb ? { ...task1Programs, 'web-server': 'WebServer.py' } : task1Programs;
    return { student: name, run: gradedRun(name, experiments, programs), page: `${encodeURIComponent(name)}/index.html` };
  });
}

describe('class report (class.html)', () => {
  it('escapes names, titles and causes, and keeps its Content-Security-Policy', () => {
    const run = gradedRun('x', [
      graded({ id: 'tcp-lowercase', task: 'task1', roles: tcp, status: 'failed', feedback: [{ code: 'python2', message: '<b onclick=x>.py looks like Python 2' }] }),
    ], { 'tcp-server': '<b onclick=x>.py', 'tcp-client': 'TCPClient.py' });
    run.experiments[0].title = '<img src=x onerror="window.__pwned=2">';
    const page = renderClassReport(buildGradebook([{ student: hostileName, run, page: 'x/index.html' }]), 'class <i>A</i>');
    expect(page).not.to.contain('<script>');
    expect(page).not.to.contain('<img');
    expect(page).not.to.contain('<b ');
    expect(page).to.contain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(page).to.contain('Python 2 (&lt;b onclick=x&gt;.py)');
    expect(page).to.contain('<title>class &lt;i&gt;A&lt;/i&gt;</title>');
    expect(page).to.match(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[^"]+&#39;">/);
  });

  it("links each name to the student's report and each why to the section that shows it", () => {
    const book = buildGradebook([
      { student: 'ann', run: gradedRun('ann', [graded({ id: 'tcp lowercase', task: 'task1', roles: tcp, status: 'failed' })]), page: 'ann/index.html' },
      { student: 'bob', run: gradedRun('bob', [graded({ id: 'tcp lowercase', task: 'task1', roles: tcp }), graded({ id: 'web-hello', task: 'task2', roles: ['web-server'], status: 'failed' })]), page: 'bob%20b/index.html' },
    ]);
    const page = renderClassReport(book, 'class');
    expect(page).to.contain('<a href="ann/index.html">ann</a>');
    expect(page).to.contain('<a href="ann/index.html#exp-tcp-lowercase" title="1 point lost">fails tcp lowercase</a>');
    expect(page).to.contain('<a href="bob%20b/index.html#group-task2" title="1 point lost">task2 not handed in</a>');
    // bob handed in no Task 2 and it is the only optional task graded, so it counts 0 and says so.
    expect(page).to.match(/<td class="not-handed-in task-start counted" colspan="1" title="task2: not handed in, counts 0">not handed in \(0\)<\/td>/);
    // Each short column header links to its line in the key of experiments.
    expect(page).to.match(/<th class="exp task-start" scope="col" title="tcp lowercase: checks tcp lowercase"><a href="#key-tcp-lowercase">1<\/a><\/th>/);
    expect(page).to.contain('<li id="key-tcp-lowercase"><code>tcp lowercase</code>');
  });

  it('shows a task left out of the total in grey, and missing roles only of the tasks handed in', () => {
    const run = gradedRun(
      'cy',
      [graded({ id: 'tcp-lowercase', task: 'task1', roles: tcp }), graded({ id: 'udp-lowercase', task: 'task1', roles: ['udp-server', 'udp-client'], status: 'failed' }), graded({ id: 'web-hello', task: 'task2', roles: ['web-server'], status: 'failed' }), graded({ id: 'proxy-hit', task: 'task3', roles: ['proxy'] })],
      { 'tcp-server': 'TCPServer.py', 'tcp-client': 'TCPClient.py', proxy: 'ProxyServer.py' },
    );
    const page = renderClassReport(buildGradebook([{ student: 'cy', run, page: 'cy/index.html' }]), 'class');
    expect(page).to.contain('<span class="note">missing: udp-server, udp-client</span>');
    expect(page).to.contain('<td class="not-handed-in task-start" colspan="1" title="task2: not handed in, left out of the total">not handed in</td>');
    expect(page).to.contain('<td class="total" title="their own report: 2 / 4, every experiment that ran">2 / 3</td>');
    expect(page).to.contain('<li><strong>task2</strong>: 1 of 1 students (<a href="cy/index.html">cy</a>)</li>');
  });
});

describe('class report in headless Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let folder: string;

  before(async function () {
    needsTool(this, 'chromium');
    browser = await launchChromium();
    folder = await mkdtemp(path.join(os.tmpdir(), 'socklab-class-report-'));
    await writeFile(path.join(folder, 'class.html'), renderClassReport(buildGradebook(classOf(12)), 'socklab class report: week5-section-a'));
  });

  after(async () => {
    await browser?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    it(`fits ${width}×${height}: no sideways page scroll, the first name and total in view, the student column held while the table scrolls`, async () => {
      const page = await browser.newPage({ viewport: { width, height } });
      const problems: string[] = [];
      page.on('console', (message) => problems.push(`console ${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      await page.goto(pathToFileURL(path.join(folder, 'class.html')).href, { waitUntil: 'load' });
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).to.equal(true);
      // Browser-side code as text: the tests are compiled without the DOM's types.
      const inView = (selector: string) =>
        page.evaluate(`(() => {
          const box = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
          return box.left >= 0 && box.right <= window.innerWidth && box.top >= 0 && box.bottom <= window.innerHeight;
        })()`);
      expect(await inView('tbody tr th.name'), 'first student name').to.equal(true);
      expect(await inView('tbody tr td.total'), 'first total').to.equal(true);
      expect(await page.evaluate(`parseFloat(getComputedStyle(document.querySelector('tbody tr td.mark')).fontSize)`)).to.be.at.least(12);
      const shot = path.join(folder, `class-report-${width}.png`);
      expect((await page.screenshot({ path: shot })).subarray(1, 4).toString()).to.equal('PNG');
      await mkdir(path.join(repoRoot, 'reports'), { recursive: true });
      await copyFile(shot, path.join(repoRoot, 'reports', `class-report-${width}.png`));

      // Scrolled to its last column, the table keeps the names where they were; the page itself does not move.
      const nameLeft = () => page.evaluate(`document.querySelector('tbody tr th.name').getBoundingClientRect().left`);
      const before = await nameLeft();
      const scrolled = await page.evaluate(`(() => {
        const table = document.querySelector('.scroll');
        table.scrollLeft = table.scrollWidth;
        return table.scrollLeft;
      })()`);
      if (width === 390) expect(scrolled, 'the table scrolls inside its box').to.be.greaterThan(0);
      expect(await nameLeft()).to.equal(before);
      expect(await page.evaluate('window.scrollX')).to.equal(0);
      expect(await page.evaluate('typeof window.__pwned')).to.equal('undefined');
      expect(problems).to.deep.equal([]);
      await page.close();
    });
  }
});
