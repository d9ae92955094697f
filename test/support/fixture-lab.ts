// A lab whose roles are the tiny fixture programs of test/fixtures/programs (exit with a code, echo
// stdin, hang, ignore SIGTERM, …), written into a test's temp folder for CLI runs on inline specs.
import { fixtureProgram } from './paths.js';
import type { TempDir } from './temp-dir.js';

/** Writes lab.yaml into `temp` and returns its path, for `--lab`. */
export function fixtureLab(temp: TempDir): string {
  // Without the memory reducer an idle Node program never wakes on its own (as the lab's reference programs).
  const role = (script: string) => `[node, --no-memory-reducer, "${fixtureProgram(script)}"]`;
  return temp.write(
    'lab.yaml',
    `lab: fixtures
roles:
  exit-code: { description: "exits with its first argument", usage: CODE, reference: ${role('exit-code.mjs')} }
  echo: { description: copies stdin, usage: "", reference: ${role('echo-stdin.mjs')} }
  sleeper: { description: runs forever, usage: "", reference: ${role('sleep-forever.mjs')} }
  stubborn: { description: ignores SIGTERM, usage: "", reference: ${role('ignore-sigterm.mjs')} }
  forker: { description: leaves a grandchild, usage: "[escape]", reference: ${role('fork-grandchild.mjs')} }
  prompter: { description: prints a prompt then waits, usage: PROMPT, reference: ${role('print-then-wait.mjs')}, ignoreOutput: ["Input:\\\\s*"] }
  listener: { description: listens after a delay, usage: PORT DELAY, reference: ${role('tcp-listen.mjs')} }
  mute: { description: reads each request and never answers, usage: PORT, reference: [python3, "${fixtureProgram('tcp-mute.py')}"] }
  curl: { description: curl, usage: CURL-ARGUMENTS, reference: [curl], timersGiveUp: true }
  curl-unknown: { description: curl not known to give up on its timers, usage: CURL-ARGUMENTS, reference: [curl] }
`,
  );
}
