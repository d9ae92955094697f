// Optional system tools that some tests need. Where one cannot run, those tests are pending (mocha's
// skip) and the run ends with one line saying what to install (root-hooks.ts). Under CI=true a missing
// tool fails the test instead: CI installs every one of them (.ci/run), so a skip there would hide a gap.
import { spawnSync } from 'node:child_process';
import { CHROMIUM_PATH } from '../../harness/probes/browser.js';

export type ToolName = 'tcpdump' | 'bwrap' | 'tshark' | 'chromium' | 'aiosmtpd' | 'netns' | 'curl' | 'xmllint' | 'iptables' | 'ss';

/** Debian's python3: Debian's aiosmtpd lives with it, and it may not be the first python3 on PATH. */
export const debianPython = '/usr/bin/python3';

interface Missing {
  why: string;
  /** The Debian package to install; null when it is installed but not allowed (root or a capability would help). */
  install: string | null;
}

/** Each check runs the tool, since a file that is there may still not work; null means fine. */
interface Tool {
  debianPackage: string;
  /** Why the tool does not run here: installing the package helps. */
  notRunning: () => string | null;
  /** Why it runs but may not do what the tests need: installing does not help, root does. */
  notAllowed?: () => string | null;
}

/** Runs a short command; null when it exited 0, else what went wrong in one line: `` `bwrap --version`: exit code 127, /usr/bin/bwrap: not found ``. */
function failureOf(command: string, args: string[]): string | null {
  const shown = `\`${[command, ...args].join(' ')}\``;
  const run = spawnSync(command, args, { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.error) return `${shown}: ${(run.error as NodeJS.ErrnoException).code ?? run.error.message}`;
  if (run.status === 0) return null;
  const lastLine = run.stderr.trim().split('\n').at(-1);
  return `${shown}: ${run.signal ? `killed by ${run.signal}` : `exit code ${run.status}`}${lastLine ? `, ${lastLine}` : ''}`;
}

const TOOLS: Record<ToolName, Tool> = {
  // The kernel's socket diagnostics, which readiness asks in the machine's own namespace.
  ss: { debianPackage: 'iproute2', notRunning: () => failureOf('ss', ['-V']) },
  // -d opens the interface (to compile the filter for it), so it needs the permission to capture.
  tcpdump: { debianPackage: 'tcpdump', notRunning: () => failureOf('tcpdump', ['--version']), notAllowed: () => failureOf('tcpdump', ['-i', 'lo', '-d', 'tcp']) },
  // The harness's sandbox needs bwrap to make namespaces here, not only to be installed.
  bwrap: { debianPackage: 'bubblewrap', notRunning: () => failureOf('bwrap', ['--version']), notAllowed: () => failureOf('bwrap', ['--dev-bind', '/', '/', 'true']) },
  tshark: { debianPackage: 'tshark', notRunning: () => failureOf('tshark', ['--version']) },
  // The path the harness launches (SOCKLAB_CHROMIUM, default /usr/bin/chromium).
  chromium: { debianPackage: 'chromium', notRunning: () => failureOf(CHROMIUM_PATH, ['--version']) },
  aiosmtpd: { debianPackage: 'python3-aiosmtpd', notRunning: () => failureOf(debianPython, ['-m', 'aiosmtpd', '--version']) },
  // Two-host experiments: `ip netns add` and the veth pair between the hosts need root.
  netns: { debianPackage: 'iproute2', notRunning: () => failureOf('ip', ['netns', 'list']), notAllowed: () => (process.getuid?.() === 0 ? null : 'network namespaces need root') },
  curl: { debianPackage: 'curl', notRunning: () => failureOf('curl', ['--version']) },
  // Validates junit.xml against the Jenkins xunit plugin's XSD.
  xmllint: { debianPackage: 'libxml2-utils', notRunning: () => failureOf('xmllint', ['--version']) },
  // Worlds intercept hard-coded destinations with iptables rules inside their namespaces.
  iptables: { debianPackage: 'iptables', notRunning: () => failureOf('iptables', ['--version']) },
};

const checked = new Map<ToolName, Missing | null>();

/** Why `name` cannot be used here (checked once per run), or null when it can. */
export function missingTool(name: ToolName): Missing | null {
  if (!checked.has(name)) {
    const tool = TOOLS[name];
    const notRunning = tool.notRunning();
    const notAllowed = notRunning ? null : (tool.notAllowed?.() ?? null);
    checked.set(name, notRunning ? { why: notRunning, install: tool.debianPackage } : notAllowed ? { why: notAllowed, install: null } : null);
  }
  return checked.get(name)!;
}

/** Titles of the tests each missing tool held back (pending, or failed under CI=true). */
const heldBack = new Map<ToolName, Set<string>>();

/**
 * Call first in a `before`, `beforeEach` or `it` (with `function`, not an arrow, for `this`): when a tool
 * cannot run here, skips the tests it covers (all of the suite's, from a `before`), or under CI=true
 * fails, naming the tool and the package to install.
 */
export function needsTool(context: Mocha.Context, ...names: ToolName[]): void {
  const missing = names.filter((name) => missingTool(name) !== null);
  if (missing.length === 0) return;
  for (const name of missing) {
    const titles = heldBack.get(name) ?? new Set<string>();
    for (const title of testsCovered(context)) titles.add(title);
    heldBack.set(name, titles);
  }
  if (process.env.CI === 'true') {
    const reasons = missing.map((name) => `${name} (${missingTool(name)!.why})`).join('; ');
    throw new Error(`a tool these tests need cannot run, a failure under CI=true: ${reasons} — ${installAdvice(missing)}`);
  }
  context.skip();
}

function testsCovered(context: Mocha.Context): string[] {
  const runnable = context.test as Mocha.Hook | Mocha.Test | undefined;
  if (runnable?.type === 'hook' && runnable.title.startsWith('"before all" hook') && runnable.parent) return testsOf(runnable.parent);
  const test = runnable?.type === 'hook' ? context.currentTest : runnable;
  return test ? [test.fullTitle()] : [];
}

function testsOf(suite: Mocha.Suite): string[] {
  return [...suite.tests.map((test) => test.fullTitle()), ...suite.suites.flatMap(testsOf)];
}

function installAdvice(names: ToolName[]): string {
  const packages = [...new Set(names.flatMap((name) => missingTool(name)?.install ?? []))];
  const notAllowed = names.some((name) => missingTool(name)?.install === null);
  return [packages.length > 0 ? `apt-get install ${packages.join(' ')}` : '', notAllowed ? 'run the tests as root' : ''].filter(Boolean).join('; ');
}

/**
 * The one line for the end of the run, or null when no test was held back:
 * `socklab tests: 23 pending because tools are missing: tcpdump, bwrap, chromium — apt-get install tcpdump bubblewrap chromium`.
 */
export function missingToolsLine(): string | null {
  if (heldBack.size === 0) return null;
  const names = [...heldBack.keys()];
  const tests = new Set([...heldBack.values()].flatMap((titles) => [...titles]));
  const outcome = process.env.CI === 'true' ? 'failed or not run (a failure under CI=true)' : 'pending';
  const shown = names.map((name) => (missingTool(name)?.install === null ? `${name} (not allowed)` : name));
  return `socklab tests: ${tests.size} ${outcome} because tools are missing: ${shown.join(', ')} — ${installAdvice(names)}`;
}
