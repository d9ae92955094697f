// Hand-built results (ExperimentResult, StepResult, ProcessResult) for tests of code that reads them.
import type { ExpectationResult, ExperimentResult, ProcessResult, StepResult } from '../../harness/model/result.js';

export function processResult(overrides: Partial<ProcessResult> = {}): ProcessResult {
  return {
    command: ['prog'],
    cwd: '/tmp',
    pid: 1,
    exitCode: 0,
    signal: null,
    timedOut: false,
    killed: false,
    stillRunning: false,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    stdoutBytes: 0,
    stderrBytes: 0,
    error: null,
    spawnError: null,
    durationMs: 50,
    ...overrides,
  };
}

/** A server still running when the harness stopped it at the end of the experiment. */
export function runningUntilStopped(command: string[], stdout = 'The server is ready to receive\n'): ProcessResult {
  return processResult({ command, exitCode: null, signal: 'SIGTERM', killed: true, stillRunning: true, stdout });
}

export function failed(name: string, expected = 'something', actual = 'something else'): ExpectationResult {
  return { name, ok: false, expected, actual, message: `${name}: expected ${expected}, got ${actual}` };
}

export function step(index: number, overrides: Partial<StepResult>): StepResult {
  return {
    index,
    kind: 'run',
    label: `step ${index + 1}`,
    status: 'passed',
    startedAtMs: index * 100,
    durationMs: 50,
    expectations: [],
    notes: [],
    location: { file: 'specs/x.yaml', line: index + 1, column: 7 },
    ...overrides,
  };
}

export function experiment(id: string, steps: StepResult[], overrides: Partial<ExperimentResult> = {}): ExperimentResult {
  const failures = steps.flatMap((candidate) => candidate.expectations.filter((expectation) => !expectation.ok));
  return {
    id,
    title: id,
    tags: ['task1'],
    points: 1,
    score: 0,
    location: { file: 'specs/x.yaml', line: 1, column: 3 },
    status: failures.length > 0 || steps.some((candidate) => candidate.status === 'failed') ? 'failed' : 'passed',
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 1000,
    ports: { server: 40001 },
    hosts: { server: '127.0.0.1', client: '127.0.0.1' },
    roles: {},
    steps,
    failures,
    ...overrides,
  };
}
