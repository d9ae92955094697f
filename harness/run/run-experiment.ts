// ExperimentSpec → ExperimentResult: allocate ports and a temp folder, run the steps in order under a
// deadline, make the deferred checks, then tear down in reverse (fixtures, services, escaped processes).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ExperimentResult, StepResult } from '../model/result.js';
import type { ExperimentSpec, SpecStep } from '../spec/spec-types.js';
import { stepKinds } from '../steps/registry.js';
import { finishProgram } from '../steps/shared/program-outcome.js';
import { allocatePorts, releasePorts } from '../plan/allocate-ports.js';
import { formatDuration } from '../schema/duration.js';
import { killTaggedProcesses } from '../process/process-sweep.js';
import { executeStep, runDeferredChecks } from './execute-step.js';
import type { ExperimentEnvironment, ExperimentState } from './experiment-state.js';
import { ExperimentCapture } from './experiment-capture.js';
import { createTwoHosts, namespacesUnavailable, type TwoHosts } from '../network/two-hosts.js';

export type { ExperimentEnvironment } from './experiment-state.js';

export async function runExperiment(spec: ExperimentSpec, ordinal: number, environment: ExperimentEnvironment): Promise<ExperimentResult> {
  const started = performance.now();
  const result = emptyResult(spec);
  if (spec.skip !== undefined) {
    result.skipReason = spec.skip;
    return finish(result, started, 'skipped');
  }
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), spec.timeoutMs);
  const tmp = await mkdtemp(path.join(os.tmpdir(), `socklab-${spec.id}-`));
  const state: ExperimentState = {
    spec,
    environment,
    startedAt: started,
    signal: AbortSignal.any([deadline.signal, environment.signal]),
    tag: `${environment.runTag}.${ordinal}`,
    values: {},
    hosts: result.hosts,
    services: new Map(),
    roles: result.roles,
    deferred: [],
    teardowns: [],
  };
  let capture: ExperimentCapture | null = null;
  let hosts: TwoHosts | null = null;
  try {
    result.ports = await allocatePorts(spec.portNames, '127.0.0.1');
    hosts = await placeExperiment(spec, environment, result);
    if (hosts) state.namespaces = { server: hosts.server.namespace, client: hosts.client.namespace };
    state.values = templateValues(result, tmp, environment, spec);
    if ((spec.capture || environment.captureAll) && Object.keys(result.ports).length > 0) {
      const on = hosts ? { netns: hosts.server.namespace, device: hosts.server.device } : undefined;
      capture = await ExperimentCapture.start(spec.id, Object.values(result.ports), environment.outputDir, on);
    }
    await runSteps(state, result);
    await runDeferredChecks(state);
  } catch (error) {
    result.error = { code: 'HARNESS_ERROR', message: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
    await teardown(state, result.steps);
    killTaggedProcesses(state.tag);
    if (capture) {
      const captureStep = await capture.finish(result, spec.capture, started).catch((error: unknown) => {
        result.error = { code: 'CAPTURE_ERROR', message: error instanceof Error ? error.message : String(error) };
        return null;
      });
      if (captureStep) result.steps.push(captureStep);
    }
    await hosts?.destroy();
    releasePorts(Object.values(result.ports));
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
  if (deadline.signal.aborted && !environment.signal.aborted) {
    const limit = formatDuration(spec.timeoutMs);
    result.failures.push({ name: 'experiment.timeout', ok: false, expected: `done within ${limit}`, actual: 'still running', message: `the experiment did not finish within ${limit}` });
  }
  return finish(result, started, statusOf(result, environment.signal.aborted), spec.partial);
}

async function runSteps(state: ExperimentState, result: ExperimentResult): Promise<void> {
  let stopReason: string | null = null;
  for (const step of state.spec.steps) {
    if (stopReason === null && state.signal.aborted) {
      stopReason = state.environment.signal.aborted ? 'interrupted' : `experiment timeout (${formatDuration(state.spec.timeoutMs)}) reached`;
    }
    if (stopReason !== null) {
      result.steps.push(skippedStep(step, stopReason, state));
      continue;
    }
    const { result: stepResult, stopExperiment } = await executeStep(step, state);
    result.steps.push(stepResult);
    state.environment.onStepEnd?.(stepResult);
    if (stepResult.status === 'error') stopReason = 'an earlier step hit a harness error';
    else if (stopExperiment) stopReason = `step ${stepResult.index + 1} failed, so later steps cannot mean anything`;
  }
}

/** Steps that run inside the harness process (probes, fixtures) cannot enter a namespace. */
const STEPS_ON_TWO_HOSTS = new Set(['run', 'start', 'stop', 'wait', 'sleep']);

/**
 * Puts the experiment on two hosts when its spec asks (`topology: two-hosts`) or `--isolate` does and
 * it can run there. Falls back to loopback with a note when --isolate cannot be honoured; a spec
 * that requires two hosts where namespaces cannot be made is a harness error, not the program's fault.
 */
async function placeExperiment(spec: ExperimentSpec, environment: ExperimentEnvironment, result: ExperimentResult): Promise<TwoHosts | null> {
  result.topology = 'loopback';
  const required = spec.topology === 'two-hosts';
  if (!required && !environment.isolate) return null;
  const inProcess = spec.steps.filter((step) => !STEPS_ON_TWO_HOSTS.has(step.kind)).map((step) => step.kind);
  const unavailable = inProcess.length ? `its ${[...new Set(inProcess)].join(', ')} step(s) run inside the harness, which stays on loopback` : await namespacesUnavailable();
  if (unavailable) {
    if (required) throw new Error(`this experiment needs two hosts, but ${unavailable}`);
    result.notes = [...(result.notes ?? []), `ran on loopback, not two hosts: ${unavailable}`];
    return null;
  }
  const hosts = await createTwoHosts();
  result.topology = 'two-hosts';
  Object.assign(result.hosts, { server: hosts.server.address, client: hosts.client.address });
  result.notes = [...(result.notes ?? []), `two hosts: server ${hosts.server.address} (${hosts.server.namespace}), client ${hosts.client.address} (${hosts.client.namespace})`];
  return hosts;
}

function templateValues(result: ExperimentResult, tmp: string, environment: ExperimentEnvironment, spec: ExperimentSpec): Record<string, string> {
  const values: Record<string, string> = {
    'server.host': result.hosts.server,
    'client.host': result.hosts.client,
    tmp,
    fixtures: environment.fixturesDir,
    root: environment.root,
    specDir: spec.specDir,
  };
  for (const [name, port] of Object.entries(result.ports)) values[`ports.${name}`] = String(port);
  return values;
}

/** Fixtures' cleanups in reverse order, then services still running: their output stays on the step that started them. */
async function teardown(state: ExperimentState, steps: StepResult[]): Promise<void> {
  for (const cleanup of state.teardowns.reverse()) await cleanup().catch(() => undefined);
  const running = [...state.services.values()].reverse();
  state.services.clear();
  await Promise.all(
    running.map(async (service) => {
      const process = await finishProgram(service.program, { stillRunning: service.program.running });
      const step = steps.find((candidate) => candidate.index === service.stepIndex);
      if (step) step.process = process;
    }),
  );
}

function skippedStep(step: SpecStep, reason: string, state: ExperimentState): StepResult {
  const interrupted = state.environment.signal.aborted;
  return {
    index: step.index,
    kind: step.kind,
    label: stepKinds.get(step.kind)!.label(step.body),
    status: interrupted ? 'interrupted' : 'skipped',
    startedAtMs: Math.round(performance.now() - state.startedAt),
    durationMs: 0,
    expectations: [],
    skipReason: reason,
    notes: [],
    location: step.location,
  };
}

function statusOf(result: ExperimentResult, interrupted: boolean): ExperimentResult['status'] {
  result.failures.unshift(...result.steps.flatMap((step) => step.expectations.filter((expectation) => !expectation.ok)));
  if (result.error || result.steps.some((step) => step.status === 'error')) return 'error';
  if (interrupted) return 'interrupted';
  if (result.failures.length > 0) return 'failed';
  // A step that could not be checked here (no browser, no tcpdump) is never a pass on its own: when
  // nothing else in the experiment checked anything, the experiment is skipped with its reason;
  // otherwise it is judged by what was checked and the skip stays visible on its step.
  // (Steps the runner skipped after a failure or timeout never get here: those fail the experiment.)
  const skippedByItself = result.steps.find((step) => step.status === 'skipped');
  const checkedSomething = result.steps.some((step) => step.status === 'passed' && step.expectations.length > 0);
  if (skippedByItself && !checkedSomething) {
    result.skipReason = skippedByItself.skipReason;
    return 'skipped';
  }
  return 'passed';
}

/** Points × the share of expectations that held, to two decimals. */
function partialScore(result: ExperimentResult): number {
  const all = result.steps.flatMap((step) => step.expectations).length + result.failures.filter((failure) => failure.name === 'experiment.timeout').length;
  if (all === 0) return 0;
  const passed = result.steps.flatMap((step) => step.expectations).filter((expectation) => expectation.ok).length;
  return Math.round((result.points * passed * 100) / all) / 100;
}

export function emptyResult(spec: ExperimentSpec): ExperimentResult {
  return {
    id: spec.id,
    title: spec.title,
    tags: spec.tags,
    points: spec.points,
    score: 0,
    explain: spec.explain,
    location: spec.location,
    hidden: spec.hidden || undefined,
    status: 'passed',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    ports: {},
    hosts: { server: '127.0.0.1', client: '127.0.0.1' },
    roles: {},
    steps: [],
    failures: [],
  };
}

function finish(result: ExperimentResult, started: number, status: ExperimentResult['status'], partial = false): ExperimentResult {
  result.status = status;
  result.score = status === 'passed' ? result.points : partial && status === 'failed' ? partialScore(result) : 0;
  result.durationMs = Math.round(performance.now() - started);
  return result;
}
