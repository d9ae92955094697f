// ExperimentSpec → ExperimentPlan → what happened → ExperimentResult. Executes a plan: makes its two
// hosts when it has them, starts the capture, runs the steps in order under a deadline, makes the
// deferred checks, then tears down in reverse (fixtures, services, escaped processes, hosts, capture).
import type { ExpectationResult, ExperimentResult, HarnessErrorInfo, StepResult, WorldEvents } from '../model/result.js';
import type { ExperimentPlan, PlannedRole, PlannedStep } from '../plan/experiment-plan.js';
import { findLiteral, findTextLiteral } from '../steps/shared/source-literal.js';
import { judgeDestination } from '../expect/destination-expectations.js';
import type { StepCondition } from '../steps/shared/common-fields.js';
import { existsSync } from 'node:fs';
import { WorldUnavailableError, planExperiment, releasePlan } from '../plan/plan-experiment.js';
import type { ExperimentSpec } from '../spec/spec-types.js';
import { finishProgram } from '../steps/shared/program-outcome.js';
import { formatDuration } from '../schema/duration.js';
import { killTaggedProcesses } from '../process/process-sweep.js';
import { ExperimentWorld } from './experiment-world.js';
import { executeStep, launchAhead, launchesProgram, runDeferredChecks } from './execute-step.js';
import { LaunchAhead } from './launch-ahead.js';
import type { ExperimentEnvironment, ExperimentState } from './experiment-state.js';
import { ExperimentCapture } from './experiment-capture.js';
import { buildCaptureFilter } from '../capture/index.js';
import { RemoteExperiment } from '../remote/remote-experiment.js';
import { buildExperimentResult, resultWithoutRun, type WhatHappened } from './build-result.js';
import { findDeadServices, settleDyingServices, stderrDuring, stderrMarks, stepWithoutItsService, type DeadService } from './service-watch.js';

export type { ExperimentEnvironment } from './experiment-state.js';

export async function runExperiment(spec: ExperimentSpec, ordinal: number, environment: ExperimentEnvironment): Promise<ExperimentResult> {
  if (spec.skip !== undefined) return resultWithoutRun(spec, 'skipped', spec.skip, environment.weights);
  const startedAt = new Date().toISOString();
  const started = performance.now();
  let plan: ExperimentPlan | null = null;
  let happened: Omit<WhatHappened, 'startedAt' | 'durationMs'>;
  try {
    plan = await planExperiment(spec, environment, `${environment.runTag}.${ordinal}`);
    happened = await executePlan(plan, environment, started);
  } catch (error) {
    if (error instanceof WorldUnavailableError) return resultWithoutRun(spec, 'skipped', error.message, environment.weights);
    happened = { steps: [], error: harnessError(error), interrupted: environment.signal.aborted, notes: [], launched: [] };
  } finally {
    if (plan) await releasePlan(plan);
  }
  return buildExperimentResult(spec, plan, { ...happened, startedAt, durationMs: Math.round(performance.now() - started) }, environment.weights);
}

/** An experiment interrupted before it started. */
export function notRun(spec: ExperimentSpec, environment: Pick<ExperimentEnvironment, 'weights'>): ExperimentResult {
  return resultWithoutRun(spec, 'interrupted', 'interrupted before it started', environment.weights);
}

async function executePlan(plan: ExperimentPlan, environment: ExperimentEnvironment, started: number): Promise<Omit<WhatHappened, 'startedAt' | 'durationMs'>> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), plan.spec.timeoutMs);
  const state: ExperimentState = {
    plan,
    environment,
    startedAt: started,
    signal: AbortSignal.any([deadline.signal, environment.signal]),
    services: new Map(),
    deferred: [],
    teardowns: [],
    fixtureClocks: [],
    steps: [],
    sharedEnvironment: {},
    conventionAttempts: new Map(),
    ahead: new LaunchAhead(),
  };
  const notes: string[] = [];
  let error: HarnessErrorInfo | undefined;
  let capture: ExperimentCapture | null = null;
  let captureResult: WhatHappened['capture'];
  try {
    if (plan.topology === 'two-hosts') {
      const interceptionProblem = await environment.interceptionUnavailable();
      state.world = await ExperimentWorld.take(interceptionProblem);
      // Hard-coded destinations lead to the servers the plan will start, before they start.
      for (const step of plan.steps) {
        if (step.serves && step.host) await state.world.offer({ ...step.serves, host: step.host, planned: step.serves.port, actual: step.serves.port });
      }
      notes.push(describeWorld(state.world), ...(interceptionProblem ? [`hard-coded destinations are not intercepted: ${interceptionProblem}`] : []));
    }
    const remoteRoles = Object.values(plan.roles).filter((role) => role.remote);
    if (remoteRoles.length && environment.remoteRoles) {
      const roles = Object.fromEntries(remoteRoles.map((role) => [role.role, { cwd: role.cwd }]));
      state.remote = new RemoteExperiment(environment.remoteRoles, { id: plan.spec.id, tag: plan.tag, tmpDir: plan.tmpDir, root: environment.root, roles });
    }
    if (plan.capture) {
      const { internet } = state.world?.world.hosts ?? {};
      // With another machine, the packets leave by whichever interface leads there: every interface, filtered to the experiment's ports.
      const on = internet && plan.capture.inWorld ? { netns: internet.namespace, device: internet.device } : state.remote ? { device: 'any' } : undefined;
      capture = await ExperimentCapture.start(plan, plan.capture, environment.outputDir, on);
      await state.remote?.startCapture(buildCaptureFilter({ ports: plan.capture.ports }));
    }
    await runSteps(state);
    await runDeferredChecks(state);
  } catch (caught) {
    error = harnessError(caught);
  } finally {
    clearTimeout(timer);
    await teardown(state);
    killTaggedProcesses(plan.tag);
    if (capture) {
      captureResult = await capture.finish().catch((caught: unknown) => {
        error = { code: 'CAPTURE_ERROR', message: caught instanceof Error ? caught.message : String(caught) };
        return undefined;
      });
    }
    if (state.remote) {
      const remote = await state.remote.finish(environment.outputDir).catch((caught: unknown) => {
        error ??= { code: 'REMOTE_ERROR', message: caught instanceof Error ? caught.message : String(caught) };
        return undefined;
      });
      notes.push(...(remote?.notes ?? []));
      if (captureResult && remote?.captures.length) captureResult.remote = remote.captures;
    }
    await state.world?.destroy();
  }
  const timedOut = deadline.signal.aborted && !environment.signal.aborted;
  return {
    steps: state.steps,
    ...(error ? { error } : {}),
    ...(timedOut ? { timeout: timeoutFailure(plan.spec.timeoutMs) } : {}),
    interrupted: environment.signal.aborted,
    ...(captureResult ? { capture: captureResult } : {}),
    notes,
    launched: Object.keys(plan.roles).filter((role) => state.steps.some((step) => step.role === role && step.status !== 'skipped' && step.status !== 'interrupted')),
  };
}

async function runSteps(state: ExperimentState): Promise<void> {
  let stopReason: string | null = null;
  const dead: DeadService[] = [];
  const reported = new Set<string>();
  for (const step of state.plan.steps) {
    if (stopReason === null && state.signal.aborted) {
      stopReason = state.environment.signal.aborted ? 'interrupted' : `experiment timeout (${formatDuration(state.plan.spec.timeoutMs)}) reached`;
    }
    if (stopReason !== null) {
      state.steps.push(skippedStep(step, stopReason, state));
      continue;
    }
    const condition = step.body.when as StepCondition | undefined;
    if (condition && !existsSync(condition.exists)) {
      state.steps.push(skippedStep(step, `${condition.exists} does not exist`, state));
      continue;
    }
    // A step told the port of a server that has died would only wait out its timeout against nothing.
    const orphaned = stepWithoutItsService(step, dead, Math.round(performance.now() - state.startedAt));
    if (orphaned) {
      state.steps.push(orphaned);
      state.environment.onStepEnd?.(orphaned);
      continue;
    }
    const marks = stderrMarks(state);
    // The next step's program is started ahead while this one runs: right after this step's own launch, or now when it launches none.
    if (!launchesProgram(step)) launchAhead(state.plan.steps[step.index + 1], state);
    const { result, stopExperiment } = await executeStep(step, state);
    stderrDuring(state, marks, result);
    state.steps.push(result);
    if (state.world) await observeWorld(state, result);
    judgeWhereItWent(step, result);
    await settleDyingServices(state);
    dead.push(...findDeadServices(state, step.index, reported));
    state.environment.onStepEnd?.(result);
    if (result.status === 'error') stopReason = 'an earlier step hit a harness error';
    else if (stopExperiment) stopReason = `step ${result.index + 1} failed, so later steps cannot mean anything`;
  }
}

/** `expect: { destination: told }`: judged once the world has said where the step's program went. */
function judgeWhereItWent(step: PlannedStep, result: StepResult): void {
  const expect = step.body.expect as { destination?: string } | undefined;
  if (expect?.destination !== 'told' || result.status === 'error' || result.status === 'skipped') return;
  const checks = judgeDestination(result.process, result.world, step.told).map((expectation) => ({ ...expectation, location: step.expectLocations.destination ?? step.location }));
  result.expectations.push(...checks);
  if (result.status === 'passed' && checks.some((expectation) => !expectation.ok)) result.status = 'failed';
}

/**
 * What the world saw during the step: events of the step's own host belong to it; events of another
 * host belong to the service that was started there last (a proxy looking up its origin).
 */
async function observeWorld(state: ExperimentState, step: StepResult): Promise<void> {
  const planned = state.plan.steps[step.index];
  for (const host of ['client', 'server', 'internet'] as const) {
    const events = await state.world!.observe(host).catch(() => undefined);
    if (!events) continue;
    const owner = host === planned.host ? step : [...state.steps].reverse().find((candidate) => candidate.kind === 'start' && state.plan.steps[candidate.index].host === host);
    if (!owner) continue;
    const sourced = withSourceLines(events, owner.role ? state.plan.roles[owner.role] : undefined);
    owner.world = owner.world ? mergeWorldEvents(owner.world, sourced) : sourced;
  }
}

/** The loopback names a program may write for its server. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1'];

/**
 * Where the program's source writes each hard-coded destination it used: the port (the ports it was
 * told are not its own doing), the name it looked up, and localhost.
 */
function withSourceLines(events: WorldEvents, role: PlannedRole | undefined): WorldEvents {
  if (!role) return events;
  const at = (port: number) => findLiteral(role.command, role.cwd, port) ?? undefined;
  const named = (names: readonly string[]) => findTextLiteral(role.command, role.cwd, names) ?? undefined;
  const loopback = (asked: string) => (asked.startsWith('localhost:') ? named(LOOPBACK_NAMES) : undefined);
  const withHost = <T extends { asked: string }>(entry: T): T => {
    const hostHardCodedAt = loopback(entry.asked);
    return hostHardCodedAt ? { ...entry, hostHardCodedAt } : entry;
  };
  return {
    ...events,
    lookups: events.lookups.map((lookup) => {
      const hardCodedAt = named([lookup.name]);
      return hardCodedAt ? { ...lookup, hardCodedAt } : lookup;
    }),
    delivered: events.delivered.map((entry) => withHost(entry.serverMoved ? entry : { ...entry, hardCodedAt: at(entry.port) })),
    ...(events.watched ? { watched: events.watched.map((entry) => ({ ...entry, hardCodedAt: at(entry.port) })) } : {}),
    ...(events.undelivered ? { undelivered: events.undelivered.map(withHost) } : {}),
  };
}

function mergeWorldEvents(earlier: WorldEvents, later: WorldEvents): WorldEvents {
  const watched = [...(earlier.watched ?? []), ...(later.watched ?? [])];
  const undelivered = [...(earlier.undelivered ?? []), ...(later.undelivered ?? [])];
  return {
    ...earlier,
    lookups: [...earlier.lookups, ...later.lookups],
    delivered: [...earlier.delivered, ...later.delivered],
    ...(watched.length ? { watched } : {}),
    ...(undelivered.length ? { undelivered } : {}),
  };
}

function describeWorld(world: ExperimentWorld): string {
  const { server, client, internet } = world.world.hosts;
  return `its own network world: server ${server.address} (${server.namespace}), client ${client.address} (${client.namespace}), Internet ${internet.address} (${internet.namespace})`;
}

/** Fixtures' cleanups in reverse order, then services still running: their output stays on the step that started them. */
async function teardown(state: ExperimentState): Promise<void> {
  await state.ahead.discard();
  for (const cleanup of state.teardowns.reverse()) await cleanup().catch(() => undefined);
  const running = [...state.services.values()].reverse();
  state.services.clear();
  await Promise.all(
    running.map(async (service) => {
      const process = await finishProgram(service.program, { stillRunning: service.program.running });
      const step = state.steps.find((candidate) => candidate.index === service.stepIndex);
      if (step) step.process = process;
    }),
  );
}

function skippedStep(step: PlannedStep, reason: string, state: ExperimentState): StepResult {
  return {
    index: step.index,
    kind: step.kind,
    label: step.label,
    status: state.environment.signal.aborted ? 'interrupted' : 'skipped',
    startedAtMs: Math.round(performance.now() - state.startedAt),
    durationMs: 0,
    expectations: [],
    skipReason: reason,
    notes: [],
    location: step.location,
  };
}

function timeoutFailure(timeoutMs: number): ExpectationResult {
  const limit = formatDuration(timeoutMs);
  return {
    name: 'experiment.timeout',
    ok: false,
    expected: `done within ${limit}`,
    actual: 'still running',
    message: `the experiment did not finish within ${limit}`,
    values: { kind: 'duration', limitMs: timeoutMs, actualMs: null },
  };
}

function harnessError(error: unknown): HarnessErrorInfo {
  return { code: 'HARNESS_ERROR', message: error instanceof Error ? error.message : String(error) };
}
