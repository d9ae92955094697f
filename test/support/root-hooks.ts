// Mocha root hook plugin (loaded by .mocharc.json "require"). Before the first test it notes what is
// open (mocha's own timer, the stdio streams); after the last one it fails, naming the types, if a test
// left anything more open (a server, a socket, a child process, a timer): such a leak kept mocha from
// exiting. At the very end it prints the one line that says which tests were pending for want of which tools.
import { activeResources, leakedResources, type ResourceCounts } from './active-resources.js';
import { missingToolsLine } from './tools.js';

/** How long the last cleanups may take to finish (a close() callback, a killed child's exit). */
const SETTLE_MS = 2000;

let baseline: ResourceCounts = new Map();

export const mochaHooks: Mocha.RootHookObject = {
  // Synchronous, so that mocha starts no timeout timer for it.
  beforeAll() {
    // Both stdio streams are opened lazily: open them now so that a first write later is not a "leak".
    void process.stdout;
    void process.stderr;
    baseline = activeResources();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(SETTLE_MS + 5000);
    // This hook is async, so mocha keeps a timer for its timeout while it runs: that one is expected.
    const expected = new Map(baseline).set('Timeout', (baseline.get('Timeout') ?? 0) + 1);
    const leaked = await leakedResources(expected, SETTLE_MS);
    if (leaked.length > 0) {
      throw new Error(`the tests left open: ${leaked.join(', ')} (close servers, sockets, child processes and timers in after/afterEach hooks, also when the test fails)`);
    }
  },
};

/** After mocha's own summary, so that it is the last line of the run. */
export function mochaGlobalTeardown(): void {
  const line = missingToolsLine();
  if (line) console.log(line);
}
