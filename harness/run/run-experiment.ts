// Plan → ExperimentResult for one experiment: allocate its ports and temp folder, run its steps in
// order with a deadline, then tear down in reverse (services stopped, escaped processes swept).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ExperimentResult, StepResult } from '../model/result.js';
import type { ExperimentSpec, SpecStep } from '../spec/spec-types.js';
import { stepKinds } from '../steps/registry.js';
import { finishProgram } from '../steps/program-outcome.js';
import type { RunningService, StepContext } from '../steps/step-kind.js';
import { allocatePorts, releasePorts } from '../plan/allocate-ports.js';
import { renderDeep, renderTemplate, type TemplateValues } from '../plan/template.js';
import { formatDuration } from '../spec/duration.js';
import { Program } from './process/program.js';
import { killTaggedProcesses } from './process/process-sweep.js';
import type { RoleTable } from '../lab/role-table.js';

export interface ExperimentEnvironment {
  roles: RoleTable;
  /** The socklab installation folder (for `{{root}}`). */
  root: string;
  fixturesDir: string;
  /** Prefix of every program's SOCKLAB_TAG in this run. */
  runTag: string;
  /** Aborted on Ctrl-C / SIGTERM of the whole run. */
  signal: AbortSignal;
  onStepEnd?: (step: StepResult) => void;
  outputCapBytes?: number;
}

export async function runExperiment(spec: ExperimentSpec, ordinal: number, environment: ExperimentEnvironment): Promise<ExperimentResult> {
  const startedAt = new Date();
  const started = performance.now();
  const result: ExperimentResult = {
    id: spec.id,
    title: spec.title,
    tags: spec.tags,
    points: spec.points,
    score: 0,
    explain: spec.explain,
    location: spec.location,
    status: 'passed',
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    ports: {},
    hosts: { server: '127.0.0.1', client: '127.0.0.1' },
    roles: {},
    steps: [],
    failures: [],
  };
  if (spec.skip !== undefined) {
    result.skipReason = spec.skip;
    return finish(result, started, 'skipped');
  }

  const tag = `${environment.runTag}.${ordinal}`;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), spec.timeoutMs);
  const signal = AbortSignal.any([deadline.signal, environment.signal]);
  const services = new Map<string, RunningService>();
  const tmp = await mkdtemp(path.join(os.tmpdir(), `socklab-${spec.id}-`));
  try {
    result.ports = await allocatePorts(spec.portNames, result.hosts.server);
    const values: TemplateValues = {
      'server.host': result.hosts.server,
      'client.host': result.hosts.client,
      tmp,
      fixtures: environment.fixturesDir,
      root: environment.root,
      specDir: spec.specDir,
    };
    for (const [name, port] of Object.entries(result.ports)) values[`ports.${name}`] = String(port);

    let stopReason: string | null = null;
    for (const step of spec.steps) {
      if (stopReason === null && signal.aborted) stopReason = environment.signal.aborted ? 'interrupted' : `experiment timeout (${formatDuration(spec.timeoutMs)}) reached`;
      if (stopReason !== null) {
        result.steps.push(skippedStep(step, stopReason, started, environment.signal.aborted));
        continue;
      }
      const { stepResult, stopExperiment } = await runStep(step, values, tag, services, signal, started, spec, environment, result);
      result.steps.push(stepResult);
      environment.onStepEnd?.(stepResult);
      if (stepResult.status === 'error') stopReason = 'an earlier step hit a harness error';
      else if (stopExperiment) stopReason = `step ${stepResult.index + 1} failed, so later steps cannot mean anything`;
    }
  } catch (error) {
    result.error = { code: 'HARNESS_ERROR', message: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
    await teardown(services, result.steps);
    killTaggedProcesses(tag);
    releasePorts(Object.values(result.ports));
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
  if (deadline.signal.aborted && !environment.signal.aborted) {
    result.failures.push({ name: 'experiment.timeout', ok: false, expected: `done within ${formatDuration(spec.timeoutMs)}`, actual: 'still running', message: `the experiment did not finish within ${formatDuration(spec.timeoutMs)}` });
  }
  return finish(result, started, statusOf(result, environment.signal.aborted));
}

async function runStep(
  step: SpecStep,
  values: TemplateValues,
  tag: string,
  services: Map<string, RunningService>,
  signal: AbortSignal,
  experimentStarted: number,
  spec: ExperimentSpec,
  environment: ExperimentEnvironment,
  experiment: ExperimentResult,
): Promise<{ stepResult: StepResult; stopExperiment: boolean }> {
  const kind = stepKinds.get(step.kind)!;
  let stopExperiment = false;
  const stepStarted = performance.now();
  const body = renderDeep(step.body, values);
  const stepResult: StepResult = {
    index: step.index,
    kind: step.kind,
    label: kind.label(body),
    role: kind.role?.(body),
    name: kind.defines?.(body) ?? kind.references?.(body),
    status: 'passed',
    startedAtMs: Math.round(stepStarted - experimentStarted),
    durationMs: 0,
    stdin: typeof body.stdin === 'string' ? body.stdin : undefined,
    expectations: [],
    notes: [],
    location: step.location,
  };
  const context: StepContext = {
    experimentId: spec.id,
    stepIndex: step.index,
    signal,
    remainingMs: () => Math.max(0, spec.timeoutMs - (performance.now() - experimentStarted)),
    services,
    expectLocations: step.expectLocations,
    ignoredOutput: (role) => environment.roles.get(role).ignoredOutput,
    launch: (request) => {
      const binding = environment.roles.get(request.role);
      const command = [...binding.command.map((word) => renderTemplate(word, values)), ...request.args];
      experiment.roles[request.role] = command;
      return new Program({
        command,
        cwd: binding.cwd ?? values.tmp,
        env: { ...inheritedEnvironment(), ...request.env },
        stdin: request.stdin,
        tag,
        outputCapBytes: environment.outputCapBytes,
      });
    },
  };
  try {
    const outcome = await kind.execute(body, context);
    stepResult.process = outcome.process;
    stepResult.expectations = outcome.expectations.map((expectation) => ({
      ...expectation,
      location: expectation.location ?? step.expectLocations[expectation.name.split(/[.\s]/)[0]] ?? step.location,
    }));
    stepResult.notes = outcome.notes ?? [];
    stepResult.error = outcome.error;
    stepResult.status = outcome.status ?? (outcome.error ? 'error' : stepResult.expectations.every((e) => e.ok) ? 'passed' : 'failed');
    stopExperiment = outcome.stopExperiment === true;
  } catch (error) {
    stepResult.status = 'error';
    stepResult.error = { code: 'HARNESS_ERROR', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  stepResult.durationMs = Math.round(performance.now() - stepStarted);
  return { stepResult, stopExperiment };
}

/** Services still running at the end are stopped; their output is kept on the step that started them. */
async function teardown(services: Map<string, RunningService>, steps: StepResult[]): Promise<void> {
  const running = [...services.values()].reverse();
  services.clear();
  await Promise.all(
    running.map(async (service) => {
      const stillRunning = service.program.running;
      const process = await finishProgram(service.program, { stillRunning });
      const step = steps.find((candidate) => candidate.index === service.stepIndex);
      if (step) step.process = process;
    }),
  );
}

function skippedStep(step: SpecStep, reason: string, experimentStarted: number, interrupted: boolean): StepResult {
  const kind = stepKinds.get(step.kind)!;
  return {
    index: step.index,
    kind: step.kind,
    label: kind.label(step.body),
    status: interrupted ? 'interrupted' : 'skipped',
    startedAtMs: Math.round(performance.now() - experimentStarted),
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
  return result.failures.length > 0 ? 'failed' : 'passed';
}

function finish(result: ExperimentResult, started: number, status: ExperimentResult['status']): ExperimentResult {
  result.status = status;
  result.score = status === 'passed' ? result.points : 0;
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

/** Programs see the harness's environment (PATH, JAVA_HOME, …) with Python's buffering off, so that a
 * program stopped at its timeout has still shown what it printed. */
function inheritedEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('SOCKLAB_')) env[key] = value;
  env.PYTHONUNBUFFERED = '1';
  return env;
}

