// Hand-built results for the reporter tests: one experiment of each kind a report must tell apart,
// with program output chosen to break naive XML and terminal output.
import type { ExperimentResult, ProcessResult, RunResult, StepResult } from '../../harness/model/result.js';
import { processResult } from '../support/result-builder.js';
import { countResults } from '../../harness/model/result.js';

/** Markup, a CDATA terminator, entities, quotes, control characters, a non-character, a lone surrogate, emoji. */
export const hostileOutput =
  'before <script>alert(1)</script> ]]> & "double" \'single\' \u0000\u0001\u001b[31mred\uFFFF\ud800 party 🎉 after\n';
/** What XML can carry of it: the forbidden characters removed, everything else intact. */
export const hostileOutputInXml = 'before <script>alert(1)</script> ]]> & "double" \'single\' [31mred party 🎉 after\n';

export function makeProcess(overrides: Partial<ProcessResult> = {}): ProcessResult {
  return processResult({ command: ['tcp-client', '127.0.0.1', '40123'], cwd: '/tmp/lab', pid: 4242, durationMs: 80, ...overrides });
}

export function makeStep(overrides: Partial<StepResult> = {}): StepResult {
  return {
    index: 0,
    kind: 'run',
    label: 'run tcp-client 127.0.0.1 40123',
    status: 'passed',
    startedAtMs: 0,
    durationMs: 80,
    expectations: [],
    notes: [],
    location: { file: 'specs/tcp-echo.yaml', line: 5, column: 7 },
    ...overrides,
  };
}

function makeExperiment(overrides: Partial<ExperimentResult> & Pick<ExperimentResult, 'id' | 'status'>): ExperimentResult {
  return {
    title: 'untitled',
    tags: [],
    points: 2,
    score: 0,
    location: { file: 'specs/tcp-echo.yaml', line: 1, column: 3 },
    startedAt: '2025-03-01T10:00:00.000Z',
    durationMs: 100,
    ports: {},
    hosts: {},
    roles: {},
    steps: [],
    failures: [],
    ...overrides,
  };
}

const failedExpectation = {
  name: 'stdout.contains',
  ok: false,
  expected: 'HELLO WORLD',
  actual: 'hello world\nsecond line',
  message: 'stdout does not contain "HELLO WORLD"',
  location: { file: 'specs/tcp-echo.yaml', line: 27, column: 11 },
};

const numberedLines = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

export const passedExperiment = makeExperiment({
  id: 'tcp-echo-basic',
  title: 'Echo one line',
  tags: ['tcp'],
  status: 'passed',
  points: 3,
  score: 3,
  durationMs: 123,
  location: { file: 'specs/tcp-echo.yaml', line: 3, column: 3 },
  steps: [makeStep({ index: 1, label: 'run tcp-client 127.0.0.1 4000', process: makeProcess({ stdout: hostileOutput }) })],
});

export const failedExperiment = makeExperiment({
  id: 'tcp-echo-upper',
  title: 'Server upper-cases the line',
  status: 'failed',
  durationMs: 2345,
  location: { file: 'specs/tcp-echo.yaml', line: 20, column: 3 },
  steps: [
    makeStep({ index: 0, kind: 'start', label: 'start tcp-server 4000', process: makeProcess({ command: ['tcp-server', '4000'], exitCode: null, signal: 'SIGTERM', killed: true, stdout: 'listening\n' }) }),
    makeStep({
      index: 1,
      status: 'failed',
      expectations: [failedExpectation, { name: 'exit', ok: true, expected: '0', actual: '0', message: '' }],
      process: makeProcess({ stdout: numberedLines, stderr: 'warning: <b>&</b> \u001b[31mboom\n' }),
    }),
  ],
  failures: [failedExpectation],
});

export const errorExperiment = makeExperiment({
  id: 'udp-ping',
  title: 'Ping reports loss',
  tags: ['udp', 'ping'],
  status: 'error',
  points: 4,
  location: { file: 'specs/udp.yaml', line: 5, column: 3 },
  error: { code: 'ENOENT', message: 'udp-client: program not found' },
  steps: [
    makeStep({
      status: 'error',
      label: 'run udp-client 127.0.0.1 5000',
      process: makeProcess({ command: ['udp-client', '127.0.0.1', '5000'], pid: null, exitCode: null, spawnError: { code: 'ENOENT', message: 'spawn udp-client ENOENT' } }),
    }),
  ],
});

export const skippedExperiment = makeExperiment({
  id: 'smtp-send',
  title: 'Send one mail',
  status: 'skipped',
  points: 0,
  location: { file: 'specs/smtp.yaml', line: 2, column: 3 },
  steps: [makeStep({ status: 'skipped', skipReason: 'needs --network' })],
});

export function makeRun(experiments: ExperimentResult[] = [passedExperiment, failedExperiment, errorExperiment, skippedExperiment]): RunResult {
  return {
    version: 2,
    tool: { name: 'socklab', version: '0.1.0' },
    status: 'failed',
    startedAt: '2025-03-01T10:00:00.000Z',
    durationMs: 4567,
    counts: countResults(experiments),
    score: experiments.reduce((sum, e) => sum + e.score, 0),
    maxScore: experiments.reduce((sum, e) => sum + e.points, 0),
    subject: 'reference',
    environment: { node: 'v20.19.0', platform: 'linux', cpus: 4, jobs: 2 },
    experiments,
  };
}
